import type { Item } from '../store/batch-get.js';
import { read } from './read.js';
import { type KeyQuery, keyQuery, type TableKey, ttlFromNow } from './table-schema.js';

/**
 * Stream shard lease: `STREAM_LEASE` / `SHARD#<shardId>`, which process reads the shard and how
 * far it got. Every lease is in one partition, so one Query lists them (never a Scan).
 */
export const STREAM_LEASE_ENTITY = 'StreamLease';
export const STREAM_LEASE_PARTITION = 'STREAM_LEASE';
/** The checkpoint of a shard that is closed and read to its end: its children may be read. */
export const SHARD_END = 'SHARD_END';
/** Stream records live 24 h: a lease outlives its shard's last record by a day more. */
export const STREAM_LEASE_TTL_SECONDS = 48 * 3600;

const SHARD_PREFIX = 'SHARD#';

export interface StreamLease {
  shardId: string;
  parentShardId: string | undefined;
  /** Who reads the shard; undefined when the lease is free (released, or never taken). */
  owner: string | undefined;
  /** Incremented by every write: a taker's condition, and how expiry is told without clocks. */
  counter: number;
  /** The last sequence number processed, or SHARD_END; undefined before the first one. */
  checkpoint: string | undefined;
  createdAt: string;
  /**
   * With no checkpoint, records created before this (ISO) are history from before the fleet
   * read the stream, and are skipped. Children inherit their parent's, so a child's own
   * records are all read.
   */
  skipBefore: string;
  expiresAt: number;
}

export function streamLeaseKey(shardId: string): TableKey {
  return { PK: STREAM_LEASE_PARTITION, SK: `${SHARD_PREFIX}${shardId}` };
}

/** Every lease of the table's stream. */
export function streamLeasesQuery(): KeyQuery {
  return keyQuery(undefined, STREAM_LEASE_PARTITION, { beginsWith: SHARD_PREFIX });
}

/**
 * Every write refreshes the TTL: a lease nobody writes for two days (its shard long trimmed, or
 * the stream replaced) disappears.
 */
export function streamLeaseExpiry(nowMs: number): number {
  return ttlFromNow(STREAM_LEASE_TTL_SECONDS, nowMs);
}

export function streamLeaseItem(lease: StreamLease): Item {
  return {
    ...streamLeaseKey(lease.shardId),
    entity: STREAM_LEASE_ENTITY,
    shardId: lease.shardId,
    parentShardId: lease.parentShardId,
    owner: lease.owner,
    counter: lease.counter,
    checkpoint: lease.checkpoint,
    createdAt: lease.createdAt,
    skipBefore: lease.skipBefore,
    expiresAt: lease.expiresAt,
  };
}

export function toStreamLease(item: Item): StreamLease {
  read.entity(item, STREAM_LEASE_ENTITY);
  const optional = (field: string) => {
    const value = read.optionalString(item, field);
    return value === '' ? undefined : value;
  };
  const createdAt = read.string(item, 'createdAt');
  return {
    shardId: read.string(item, 'shardId'),
    parentShardId: optional('parentShardId'),
    owner: optional('owner'),
    counter: read.int(item, 'counter'),
    checkpoint: optional('checkpoint'),
    createdAt,
    skipBefore: read.optionalString(item, 'skipBefore', createdAt),
    expiresAt: read.int(item, 'expiresAt'),
  };
}
