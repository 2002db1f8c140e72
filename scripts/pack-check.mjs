#!/usr/bin/env node
// Checks what users of the SDKs really get: `node scripts/pack-check.mjs sdk/client [sdk/miner ...]`
//
// For each package dir: build it (scripts/build-sdk.mjs; skip with --no-build) and `npm pack` it.
// Then, in a clean folder outside the repository, `npm init -y` and `npm i` the tarballs with
// only the npm registry, import each package with node, and type-check a usage file with the
// repository's TypeScript (strict, skipLibCheck: false). The usage file of a package is its
// `pack-usage.ts` when it has one, else a file that imports every export. Exits 1 on any failure,
// printing the step and its output; --keep leaves the temporary folder for a look.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const packageDirs = args.filter((a) => !a.startsWith('--')).map((dir) => resolve(dir));
if (packageDirs.length === 0) {
  console.error('usage: node scripts/pack-check.mjs <package dir>... [--no-build] [--keep]');
  process.exit(2);
}
const NODE_TYPES_VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  .devDependencies['@types/node'];

/** Runs a step; on failure prints what failed with its output and exits 1. */
function step(what, command, commandArgs, cwd) {
  try {
    return execFileSync(command, commandArgs, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    console.error(
      `pack-check: ${what} failed\n${error.stdout ?? ''}${error.stderr ?? error.message}`,
    );
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'aitbc-pack-check-'));
try {
  const tarballs = join(work, 'tarballs');
  const consumer = join(work, 'consumer');
  mkdirSync(tarballs);
  mkdirSync(consumer);
  const packages = packageDirs.map((dir) => {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!flags.has('--no-build'))
      step(`build ${name}`, process.execPath, [join(ROOT, 'scripts/build-sdk.mjs'), dir], ROOT);
    const packed = JSON.parse(
      step(`npm pack ${name}`, 'npm', ['pack', '--json', '--pack-destination', tarballs], dir),
    );
    return { name, dir, tarball: join(tarballs, packed[0].filename) };
  });

  step('npm init', 'npm', ['init', '-y'], consumer);
  const install = ['--prefer-offline', '--no-audit', '--no-fund', '--save-exact'];
  step('npm i (tarballs)', 'npm', ['i', ...install, ...packages.map((p) => p.tarball)], consumer);
  step(
    'npm i @types/node',
    'npm',
    ['i', ...install, `@types/node@${NODE_TYPES_VERSION}`],
    consumer,
  );

  for (const { name } of packages) {
    const probe = `const m = await import(${JSON.stringify(name)}); if (Object.keys(m).length === 0) throw new Error('no exports'); console.log(Object.keys(m).sort().join(' '));`;
    const exported = step(
      `import ${name}`,
      process.execPath,
      ['--input-type=module', '-e', probe],
      consumer,
    );
    console.log(`pack-check: ${name} imports: ${exported.trim()}`);
  }

  const usageFiles = packages.map(({ name, dir }, i) => {
    const file = `usage-${i}.ts`;
    const own = join(dir, 'pack-usage.ts');
    if (existsSync(own)) copyFileSync(own, join(consumer, file));
    else writeFileSync(join(consumer, file), `export * as sdk from ${JSON.stringify(name)};\n`);
    return file;
  });
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      // DOM: @trpc/client's declarations name fetch types (RequestInfo) that @types/node lacks.
      lib: ['ES2023', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
    },
    files: usageFiles,
  };
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify(
      { ...JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf8')), type: 'module' },
      null,
      2,
    ),
  );
  step(
    'tsc (usage files, strict, skipLibCheck: false)',
    process.execPath,
    [TSC, '-p', consumer],
    consumer,
  );
  console.log(
    `pack-check: ok (${packages.map((p) => p.name).join(', ')}) installed, imported, type-checked`,
  );
} finally {
  if (flags.has('--keep')) console.log(`pack-check: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
