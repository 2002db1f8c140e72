// Writes docs/generated/services.md from the catalog. A test (src/services-doc.test.ts) fails
// when the committed page differs, so the docs always list exactly what the registry serves.
import { writeFileSync } from 'node:fs';
import { renderServicesDoc } from '../src/services-doc.js';
import { SERVICES_DOC_PATH } from '../src/services-doc-path.js';

writeFileSync(SERVICES_DOC_PATH, renderServicesDoc());
console.log(`wrote ${SERVICES_DOC_PATH}`);
