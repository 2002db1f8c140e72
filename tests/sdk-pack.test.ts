import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/server.js';

/**
 * What users install is what is tested: scripts/pack-check.mjs builds and packs every published
 * SDK (the sdk/* packages built by scripts/build-sdk.mjs), installs the tarballs in a clean
 * folder outside the repository with only the npm registry, imports them with node and
 * type-checks a usage file strictly with skipLibCheck off.
 */
const publishedSdks = readdirSync(join(REPO_ROOT, 'sdk')).filter((dir) => {
  try {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'sdk', dir, 'package.json'), 'utf8'));
    return String(manifest.scripts?.build ?? '').includes('build-sdk.mjs');
  } catch {
    return false;
  }
});

describe('published SDK tarballs', () => {
  it('include the client SDK', () => {
    expect(publishedSdks).toContain('client');
  });

  it('install, import and type-check in a clean folder', { timeout: 180_000 }, () => {
    const run = spawnSync(
      process.execPath,
      ['scripts/pack-check.mjs', ...publishedSdks.map((dir) => `sdk/${dir}`)],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toContain('pack-check: ok');
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/@aitbc\/client imports: .*createClient/);
  });
});
