import { randomFillSync } from 'node:crypto';
import { AppError } from '@aitbc/contracts';

/** Random bytes drawn from the CSPRNG 4 KiB at a time: one call per 256 ids instead of one each. */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function random16(): Buffer {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  randomPool.copy(bytes, 0, randomOffset, randomOffset + 16);
  randomOffset += 16;
  return bytes;
}

/** The last id's time and 12-bit counter (rand_a): ids from this process only ever increase. */
let last = { ms: -1, counter: 0 };

/**
 * UUIDv7 (RFC 9562) from the given time: sortable by creation (lists page by id, the queue breaks
 * ties by id), with 62 fresh random bits so ids cannot be guessed. `rand_a` is a counter
 * (RFC 9562 §6.2, method 1): it starts at a random value below 2048 each millisecond and counts
 * up within it, so jobs made in the same millisecond (or after the clock stepped back) keep
 * their order.
 */
export function uuidv7(now: Date): string {
  const bytes = random16();
  let ms = now.getTime();
  const fresh = bytes.readUInt16BE(6) & 0x7ff;
  let counter = fresh;
  if (ms <= last.ms) {
    ms = last.ms;
    counter = last.counter + 1;
    if (counter > 0xfff) {
      ms += 1; // 2048+ ids in one millisecond: borrow the next one
      counter = fresh;
    }
  }
  last = { ms, counter };
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) & 0xff;
  bytes.writeUInt16BE(0x7000 | counter, 6);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Opaque paging cursors: the last id seen, so a page never repeats or skips a row. */
export const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
/** The id a cursor stands for, null without a cursor; a cursor not made here is a 400. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (/^[\x21-\x7e]{1,128}$/.test(id)) return id;
  throw new AppError('VALIDATION_FAILED', 'invalid cursor', [
    { path: 'cursor', message: 'not a cursor from this API' },
  ]);
}
