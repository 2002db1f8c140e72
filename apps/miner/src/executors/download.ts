import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { JobError } from '@aitbc/miner';
import { abortedError } from './abort.js';

/**
 * Streams an http(s) URL into `file`, at most `maxBytes`. A 4xx or an oversized input fails the
 * job for good; a 5xx or a network error is retryable (the source may be back later).
 */
export async function downloadTo(
  url: string,
  file: string,
  options: { signal: AbortSignal; maxBytes: number; fetch?: typeof fetch },
): Promise<number> {
  const { signal, maxBytes } = options;
  const res = await (options.fetch ?? fetch)(url, { signal, redirect: 'follow' }).catch(
    (err: unknown) => {
      throw signal.aborted ? abortedError(signal) : inputError(`cannot fetch ${url}`, err, true);
    },
  );
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw inputError(`fetching ${url} answered ${res.status}`, undefined, res.status >= 500);
  }
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(inputError(`input is larger than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  await pipeline(body, limit, createWriteStream(file), { signal }).catch((err: unknown) => {
    if (signal.aborted) throw abortedError(signal);
    throw err instanceof JobError ? err : inputError(`download of ${url} broke off`, err, true);
  });
  return bytes;
}

function inputError(message: string, cause?: unknown, retryable = false): JobError {
  const why =
    cause instanceof Error
      ? `: ${cause.cause instanceof Error ? cause.cause.message : cause.message}`
      : '';
  return new JobError('INPUT_UNAVAILABLE', `${message}${why}`, { retryable, cause });
}

/** Hex SHA-256 and size of a file, read as a stream (outputs can be large). */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
