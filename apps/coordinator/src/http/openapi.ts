import { fileURLToPath } from 'node:url';
import { APP_ERROR_CODES } from '@aitbc/contracts';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { z } from 'zod';
import type { ProcedureMeta } from '../trpc/procedures/meta.js';
import { appRouter } from '../trpc/router.js';

export const API_VERSION = '1.0.0';

/** Generated from the router: the REST routes are exactly the procedures with `openapi` meta. */
export function buildOpenApiDocument(): OpenAPIObject {
  const document = generateOpenApiDocument(appRouter, {
    title: 'AITBC Coordinator',
    description:
      'GPU compute marketplace coordinator. Clients submit jobs, miners long-poll for them and ' +
      'return results, and every completed job gets an Ed25519-signed receipt. Errors are ' +
      '`{code, message, issues?}` with a machine-readable `code`.',
    version: API_VERSION,
    baseUrl: '/',
    securitySchemes: {
      ApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      Bearer: { type: 'http', scheme: 'bearer' },
      SignedRequest: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Signature',
        description: SIGNED_REQUEST_DESCRIPTION,
      },
    },
  });
  return withContractResponses(document);
}

const SIGNED_REQUEST_DESCRIPTION =
  'Contract §8a: the key never travels. Send `X-Api-Key-Id: <principal name>`, ' +
  '`X-Timestamp: <epoch seconds>`, `X-Nonce: <16-128 of [A-Za-z0-9_-]>` and ' +
  '`X-Signature: v1=<hex HMAC-SHA256(key, METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\nSHA256HEX(raw body))>`, ' +
  'TARGET being the path plus `?query` as sent. Refused with 401 SIGNATURE_EXPIRED (more than ' +
  '300 s off), SIGNATURE_REPLAYED (nonce seen) or SIGNATURE_INVALID. Required on routes with a ' +
  'key when REQUIRE_SIGNED_REQUESTS=true.';

/**
 * Every answer reports the caller's budget (contract §8a) when rate limits are on; the document
 * shows them on successes and 429s (errors carry them too).
 */
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': { description: 'requests per window', schema: { type: 'integer' } },
  'RateLimit-Remaining': {
    description: 'requests left in this window',
    schema: { type: 'integer' },
  },
  'RateLimit-Reset': {
    description: 'seconds until the window resets',
    schema: { type: 'integer' },
  },
};

const RATE_LIMIT_HEADER_REFS = Object.fromEntries(
  Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
);
const RETRY_AFTER_HEADERS = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } },
  ...RATE_LIMIT_HEADER_REFS,
};

/** Every non-2xx body (contract §1), as the document describes it. */
const ErrorBodySchema = z.object({
  code: z.enum(APP_ERROR_CODES as [string, ...string[]]).describe('machine-readable error code'),
  message: z.string().describe('what went wrong, for humans'),
  issues: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('each offending field, for validation errors'),
});

const DEFAULT_ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input (VALIDATION_FAILED or MALFORMED_REQUEST)',
  '401':
    'UNAUTHENTICATED: no API key or an unknown one (or an unsigned one under ' +
    'REQUIRE_SIGNED_REQUESTS); SIGNATURE_EXPIRED, SIGNATURE_REPLAYED, SIGNATURE_INVALID: a signed request refused',
  '403': 'FORBIDDEN: a key of the wrong role',
  '404': "NOT_FOUND: unknown id, or another principal's resource",
  '429': 'RATE_LIMITED: over the request budget; Retry-After says when to come back',
  '500': 'INTERNAL: a bug; never caused by what the caller sent',
  '503': 'NOT_READY: a dependency (database, or the Redis of REDIS_URL) is unavailable',
};

/**
 * trpc-to-openapi describes errors with its own body and tRPC codes, caches one description per
 * status across routes, and always documents success as 200. This rewrites the responses to
 * what the server really sends: our error body, each route's own error texts, its success status.
 */
function withContractResponses(document: OpenAPIObject): OpenAPIObject {
  const schemas = Object.fromEntries(
    Object.entries(document.components?.schemas ?? {}).filter(
      ([name]) => !name.startsWith('error.'),
    ),
  );
  const { $schema: _, ...errorBody } = z.toJSONSchema(ErrorBodySchema);
  document.components = {
    ...document.components,
    schemas: { ...schemas, ErrorBody: errorBody as never },
    headers: RATE_LIMIT_HEADERS as never,
  };
  const errorContent = {
    'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } },
  };
  for (const procedure of Object.values(appRouter._def.procedures)) {
    const meta = (procedure as unknown as { _def: { meta?: ProcedureMeta } })._def.meta;
    const route = meta?.openapi;
    const operation = route && document.paths?.[route.path]?.[route.method.toLowerCase() as 'get'];
    if (!route || !operation?.responses) continue;
    const responses = operation.responses as Record<string, unknown>;
    if (meta.successStatus && meta.successStatus !== 200) {
      responses[String(meta.successStatus)] = responses['200'];
      delete responses['200'];
    }
    const own = (route.errorResponses ?? {}) as Record<string, string>;
    const statuses = new Set([
      ...Object.keys(responses).filter((s) => Number(s) >= 400),
      ...Object.keys(own),
      ...(route.protect === false ? [] : ['401', '403', '503']),
      '400',
      '429',
      '500',
    ]);
    for (const status of [...statuses].sort()) {
      responses[status] = {
        description: own[status] ?? DEFAULT_ERROR_DESCRIPTIONS[status] ?? 'Error',
        ...(status === '429' ? { headers: RETRY_AFTER_HEADERS } : {}),
        content: errorContent,
      };
    }
    for (const [status, response] of Object.entries(responses)) {
      if (Number(status) < 300) (response as { headers?: object }).headers = RATE_LIMIT_HEADER_REFS;
    }
  }
  return document;
}

/** The committed copy of the document, for REST users and code generators. */
export const GENERATED_OPENAPI_PATH = fileURLToPath(
  new URL('../../generated/openapi.json', import.meta.url),
);

export function renderOpenApiFile(): string {
  const document = {
    'x-generated':
      'DO NOT EDIT. Generated from the tRPC router by `npm run openapi -w @aitbc/coordinator`.',
    ...buildOpenApiDocument(),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
