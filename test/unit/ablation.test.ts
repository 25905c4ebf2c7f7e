import { describe, expect, it } from 'vitest';
import { ABLATIONS, parseAblations } from '../../src/app/ablation.js';
import { CursorCodec } from '../../src/store/cursor.js';
import { startKeySchema } from '../../src/store/paginate.js';

describe('the benchmark feature switches', () => {
  it('reads a list of known features and refuses an unknown one, naming the choices', () => {
    expect([...parseAblations(' cursor-mac,telemetry ')]).toEqual(['cursor-mac', 'telemetry']);
    expect(parseAblations(undefined).size).toBe(0);
    expect(parseAblations('').size).toBe(0);
    expect(() => parseAblations('cursor-mac,auth')).toThrow(
      `unknown feature "auth": one of ${ABLATIONS.join(', ')}`,
    );
  });

  it('signs cursors unless told not to, and a signing codec refuses an unsigned cursor', () => {
    const key = { PK: 'PRODUCT#1', SK: 'PRODUCT' };
    const signed = new CursorCodec('s'.repeat(32));
    const unsigned = new CursorCodec('s'.repeat(32), { sign: false });
    const cursor = unsigned.encode('field', key);
    expect(cursor.endsWith('.')).toBe(true);
    expect(unsigned.decode('field', cursor, startKeySchema)).toEqual(key);
    expect(() => signed.decode('field', cursor, startKeySchema)).toThrow();
    expect(signed.decode('field', signed.encode('field', key), startKeySchema)).toEqual(key);
  });
});
