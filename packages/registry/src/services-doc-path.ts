import { fileURLToPath } from 'node:url';

/** Where the generated catalog page lives (repository root, docs/generated/). */
export const SERVICES_DOC_PATH = fileURLToPath(
  new URL('../../../docs/generated/services.md', import.meta.url),
);
