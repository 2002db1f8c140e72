#!/usr/bin/env node
// Builds a publishable SDK package: `node scripts/build-sdk.mjs <package dir>`.
//
// What users install must work with only the npm registry, so the workspace packages (@aitbc/*)
// are inlined and the real npm dependencies (the package.json `dependencies`, pinned; a published
// @aitbc package may be one) stay imports:
//   dist/index.js    one ES module bundled by esbuild from src/index.ts (the `source` condition)
//   dist/index.d.ts  one declaration file: tsc's declarations bundled by rollup-plugin-dts, with
//                    the @aitbc/* types (AppRouter, contract types) inlined
// The build fails when the output imports anything that is not a declared dependency, or when
// the declarations mention the server's own stack (@aitbc/*, @mikro-orm, fastify, pg).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const ROOT = resolve(import.meta.dirname, '..');
const WORKSPACE_SCOPE = '@aitbc/';
const FORBIDDEN_IN_TYPES = [WORKSPACE_SCOPE, '@mikro-orm', 'fastify', 'pg', '@electric-sql'];

const packageDir = resolve(process.argv[2] ?? '.');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const dependencies = Object.keys(manifest.dependencies ?? {});
const dist = join(packageDir, 'dist');

/** `pkg` and `pkg/sub/path` are a declared dependency; nothing else may stay an import. */
const isDependency = (specifier) =>
  dependencies.some((dep) => specifier === dep || specifier.startsWith(`${dep}/`));
const isBare = (specifier) => !specifier.startsWith('.') && !specifier.startsWith('/');

/** Throws, so that the `finally` blocks still remove the temporary declaration folder. */
function fail(message) {
  throw new Error(`build-sdk ${manifest.name}: ${message}`);
}

/** esbuild: @aitbc/* from their sources, declared dependencies external, anything else an error. */
async function bundleJs() {
  const undeclared = new Set();
  await build({
    entryPoints: [join(packageDir, 'src/index.ts')],
    outfile: join(dist, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['source'],
    mainFields: ['module', 'main'],
    sourcemap: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'dependencies-only',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, ({ path }) => {
            if (isDependency(path)) return { path, external: true };
            if (path.startsWith(WORKSPACE_SCOPE)) return undefined; // inlined
            undeclared.add(path);
            return { path, external: true };
          });
        },
      },
    ],
  });
  if (undeclared.size > 0) {
    fail(`imports packages missing from "dependencies": ${[...undeclared].join(', ')}`);
  }
}

/** tsc writes the declarations; rollup-plugin-dts folds them and the @aitbc/* ones into one file. */
async function bundleDeclarations() {
  // Inside the package, so that the declarations resolve @aitbc/* through its node_modules path.
  const tmp = mkdtempSync(join(packageDir, '.dts-'));
  try {
    const tsc = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        ...['-p', join(packageDir, 'tsconfig.build.json')],
        ...['--declaration', '--emitDeclarationOnly', '--declarationMap', 'false'],
        ...['--sourceMap', 'false', '--outDir', tmp, '--rootDir', join(packageDir, 'src')],
      ],
      { stdio: 'inherit' },
    );
    if (tsc.status !== 0) fail('tsc failed');
    const bundle = await rollup({
      input: join(tmp, 'index.d.ts'),
      external: (id) => isBare(id) && (isDependency(id) || !id.startsWith(WORKSPACE_SCOPE)),
      plugins: [dts({ respectExternal: true, tsconfig: join(packageDir, 'tsconfig.build.json') })],
      onwarn: (warning) => fail(`rollup: ${warning.message}`),
    });
    const { output } = await bundle.write({ file: join(dist, 'index.d.ts'), format: 'es' });
    await bundle.close();
    checkDeclarations(output[0].code);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function checkDeclarations(code) {
  const specifiers = [...code.matchAll(/(?:from\s+|import\(\s*)['"]([^'"]+)['"]/g)].map(
    (m) => m[1],
  );
  const undeclared = specifiers.filter((s) => isBare(s) && !isDependency(s));
  if (undeclared.length > 0) {
    fail(`dist/index.d.ts imports undeclared packages: ${[...new Set(undeclared)].join(', ')}`);
  }
  const leaked = FORBIDDEN_IN_TYPES.filter((name) =>
    specifiers.some(
      (s) =>
        !isDependency(s) && (s === name || s.startsWith(name.endsWith('/') ? name : `${name}/`)),
    ),
  );
  if (leaked.length > 0) fail(`dist/index.d.ts references server packages: ${leaked.join(', ')}`);
}

rmSync(dist, { recursive: true, force: true });
try {
  await bundleJs();
  await bundleDeclarations();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
console.log(`build-sdk ${manifest.name}: dist/index.js and dist/index.d.ts written`);
