import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICES } from './catalog.js';
import { renderServicesDoc } from './services-doc.js';
import { SERVICES_DOC_PATH } from './services-doc-path.js';

describe('docs/generated/services.md', () => {
  it('matches the catalog (run `npm run docs -w @aitbc/registry` after changing a service)', () => {
    expect(readFileSync(SERVICES_DOC_PATH, 'utf8')).toBe(renderServicesDoc());
  });

  it('lists every service id once', () => {
    const page = renderServicesDoc();
    for (const s of SERVICES) expect(page.split(`| \`${s.id}\` |`)).toHaveLength(2);
  });
});
