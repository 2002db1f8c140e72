import { AppError, LIMITS } from '@aitbc/contracts';

/**
 * Parses a JSON body and refuses nesting deeper than the contract allows (§8), which would
 * otherwise cost stack depth in every later walk of the value (validation, canonical JSON).
 * An empty body is `undefined`, so bodiless POSTs like cancel work without a Content-Type dance.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('MALFORMED_REQUEST', `body is not valid JSON: ${(err as Error).message}`);
  }
  if (depthOf(value) > LIMITS.jsonMaxDepth) {
    throw new AppError('MALFORMED_REQUEST', `JSON nests deeper than ${LIMITS.jsonMaxDepth} levels`);
  }
  return value;
}

/** Iterative, so a hostile body cannot overflow the stack while being measured. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > LIMITS.jsonMaxDepth) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}
