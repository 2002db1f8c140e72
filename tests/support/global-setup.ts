import { existsSync } from 'node:fs';
import { MAIN_JS } from './server.js';

/** The integration tests run the built server; say how to get it instead of timing out. */
export default function setup(): void {
  if (!existsSync(MAIN_JS)) {
    throw new Error(
      `${MAIN_JS} is missing: build first with \`npx turbo run build\` (npm test does this)`,
    );
  }
}
