// Writes generated/openapi.json from the router. CI regenerates it in memory and fails when the
// committed file differs (src/http/openapi.test.ts), so the published document never drifts.
import { writeFileSync } from 'node:fs';
import { GENERATED_OPENAPI_PATH, renderOpenApiFile } from '../src/http/openapi.js';

writeFileSync(GENERATED_OPENAPI_PATH, renderOpenApiFile());
console.log(`wrote ${GENERATED_OPENAPI_PATH}`);
