import { AppError, type FieldIssue, LIMITS } from '@aitbc/contracts';

/**
 * Parses a JSON body. An empty body is `undefined`, so bodiless POSTs like cancel just work.
 * What the value may contain is checked later, for every transport, by `findUnstorableJson`.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('MALFORMED_REQUEST', `body is not valid JSON: ${(err as Error).message}`);
  }
  const problem = findUnstorableJson(value);
  if (problem)
    throw new AppError('MALFORMED_REQUEST', `${problem.path}: ${problem.message}`, [problem]);
  return value;
}

/** A NUL, or a lone UTF-16 surrogate, is valid JSON but cannot be stored (PostgreSQL text/jsonb). */
const unstorableText = (s: string) =>
  s.includes('\u0000') || !(s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * The first part of a JSON value that the coordinator cannot keep faithfully: nesting deeper
 * than the limit, a non-finite number (`1e400` parses to Infinity), or text with a NUL or a lone
 * surrogate. Iterative, so a hostile value cannot overflow the stack while being checked.
 */
export function findUnstorableJson(value: unknown): FieldIssue | null {
  const stack: [unknown, string, number][] = [[value, '', 1]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop()!;
    const at = path || '(root)';
    if (typeof v === 'string' && unstorableText(v)) {
      return { path: at, message: 'text with a NUL character or a lone surrogate' };
    }
    if (typeof v === 'number' && !Number.isFinite(v))
      return { path: at, message: 'number out of range' };
    if (v === null || typeof v !== 'object') continue;
    if (depth > LIMITS.jsonMaxDepth)
      return { path: at, message: `nests deeper than ${LIMITS.jsonMaxDepth} levels` };
    for (const [key, child] of Object.entries(v)) {
      const childPath = path ? `${path}.${key}` : key;
      if (unstorableText(key))
        return { path: childPath, message: 'key with a NUL character or a lone surrogate' };
      stack.push([child, childPath, depth + 1]);
    }
  }
  return null;
}
