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
    },
  });
  return withContractResponses(document);
}

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
  '401': 'UNAUTHENTICATED: no API key or an unknown one',
  '403': 'FORBIDDEN: a key of the wrong role',
  '404': "NOT_FOUND: unknown id, or another principal's resource",
  '500': 'INTERNAL: a bug; never caused by what the caller sent',
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
      ...(route.protect === false ? [] : ['401', '403']),
      '400',
      '500',
    ]);
    for (const status of [...statuses].sort()) {
      responses[status] = {
        description: own[status] ?? DEFAULT_ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: errorContent,
      };
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
