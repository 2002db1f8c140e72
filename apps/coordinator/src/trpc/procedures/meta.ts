import type { OpenApiMeta } from 'trpc-to-openapi';

type Route = NonNullable<OpenApiMeta['openapi']>;

/** Procedure metadata: the REST route, and the status a success answers with (default 200). */
export type ProcedureMeta = OpenApiMeta<{ successStatus?: number }>;

/** OpenAPI metadata of one REST route; `protect` (an API key is required) unless it is public. */
export function rest(
  method: Route['method'],
  path: `/v1/${string}`,
  tag: string,
  summary: string,
  extra: Partial<Route> & { successStatus?: number } = {},
): ProcedureMeta {
  const { successStatus, ...route } = extra;
  return {
    openapi: { method, path, tags: [tag], summary, protect: true, ...route },
    ...(successStatus ? { successStatus } : {}),
  };
}
