#!/usr/bin/env node
// The dependency rule: packages/* and sdk/* never import apps/*. The one allowed crossing is
// `import type { AppRouter } from '@aitbc/coordinator'` in sdk/* (erased at run time; the tRPC
// client is typed by the router). Exits 1 listing every violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const scanned = ['packages', 'sdk'];
const importRe =
  /(?:import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(c|m)?(t|j)sx?$/.test(name)) yield path;
  }
}

const violations = [];
for (const top of scanned) {
  for (const file of sourceFiles(join(root, top))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[2] ?? m[3];
      const typeOnly = Boolean(m[1]);
      const intoApps = spec.startsWith('@aitbc/coordinator') || /(^|\/)apps\//.test(spec);
      if (!intoApps) continue;
      const allowed = top === 'sdk' && typeOnly && spec === '@aitbc/coordinator';
      if (!allowed)
        violations.push(`${relative(root, file)}: imports "${spec}"${typeOnly ? ' (type)' : ''}`);
    }
  }
}
if (violations.length > 0) {
  console.error(
    `dependency rule broken (packages/* and sdk/* must not import apps/*):\n  ${violations.join('\n  ')}`,
  );
  process.exit(1);
}
console.log('dependency rule ok: packages/* and sdk/* do not import apps/*');
