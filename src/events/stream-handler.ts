import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../app/logger.js';
import type { EventBus, RecordEvents } from '../fleet/bus.js';
import { eventsFromRecord, type StreamRecordLike } from './events.js';

/** The parts of a DynamoDB Streams event, as an event source mapping hands it to Lambda. */
export interface DynamoDBStreamEvent {
  Records: Array<
    StreamRecordLike & {
      eventID?: string;
      eventSourceARN?: string;
      dynamodb?: {
        SequenceNumber?: string;
        Keys?: Record<string, AttributeValue>;
        NewImage?: Record<string, AttributeValue>;
        OldImage?: Record<string, AttributeValue>;
      };
    }
  >;
}

/** ReportBatchItemFailures: Lambda retries the batch from the first identifier. */
export interface StreamBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** Records per publish: what one failed publish sends back to Lambda, at most. */
const CHUNK = 100;

/**
 * The stream function: the same record-to-event code as the gateway's stream reader
 * (eventsFromRecord), published to the same bus, each record once by its eventID. Records are
 * published in order; when the bus refuses a chunk, the chunk's first record is reported as the
 * batch's failure, so Lambda retries from there (the bus drops what it already had).
 */
export function createStreamHandler(bus: EventBus, logger: Logger) {
  return async (event: DynamoDBStreamEvent): Promise<StreamBatchResponse> => {
    const records = event.Records ?? [];
    for (let start = 0; start < records.length; start += CHUNK) {
      const chunk = records.slice(start, start + CHUNK);
      const batch: RecordEvents[] = [];
      for (const record of chunk) {
        try {
          batch.push({
            eventId: record.eventID ?? record.dynamodb?.SequenceNumber ?? '',
            events: eventsFromRecord(record),
          });
        } catch (error) {
          // Retrying cannot make an unreadable record readable: logged with its id, skipped.
          logger.error({ err: error, eventID: record.eventID }, 'unreadable stream record');
        }
      }
      try {
        await bus.publishRecords(batch.filter((record) => record.eventId !== ''));
      } catch (error) {
        const first = chunk[0]?.dynamodb?.SequenceNumber;
        logger.error(
          { err: error, failedFrom: first, records: records.length - start },
          'could not publish stream records: Lambda retries from the first unpublished one',
        );
        return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
      }
    }
    return { batchItemFailures: [] };
  };
}
