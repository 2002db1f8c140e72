import { generateOpenApiDocument } from 'trpc-to-openapi';
import { appRouter } from '../trpc/router.js';

export const API_VERSION = '1.0.0';

/** Generated from the router: the REST routes are exactly the procedures with `openapi` meta. */
export function buildOpenApiDocument() {
  return generateOpenApiDocument(appRouter, {
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
}
