import type { OpenApiMeta } from 'trpc-to-openapi';

type Route = NonNullable<OpenApiMeta['openapi']>;

/** OpenAPI metadata of one REST route; `protect` (an API key is required) unless it is public. */
export function rest(
  method: Route['method'],
  path: `/v1/${string}`,
  tag: string,
  summary: string,
  extra: Partial<Route> = {},
): OpenApiMeta {
  return { openapi: { method, path, tags: [tag], summary, protect: true, ...extra } };
}
