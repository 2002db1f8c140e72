import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browserEntry from './index.js';

const srcDir = dirname(fileURLToPath(import.meta.url));
const packageJson = JSON.parse(readFileSync(join(srcDir, '..', 'package.json'), 'utf8'));

// Static `import ... from '...'` / `export ... from '...'` specifiers, type-only ones included
// (they vanish at build time, but a browser bundle must not depend on that).
function specifiersOf(file: string): string[] {
  const source = readFileSync(join(srcDir, file), 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/g)].map(
    (match) => match[1] as string,
  );
}

function reachableFrom(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('./')) pending.push(specifier.slice(2).replace(/\.js$/, '.ts'));
      else external.add(specifier);
    }
  }
  return { files, external };
}

describe('browser entry (src/index.ts)', () => {
  const { files, external } = reachableFrom('index.ts');

  it('finds the modules it re-exports (the scan itself works)', () => {
    expect(files).toContain('verify.ts');
    expect(files).toContain('ed25519.ts');
    expect(reachableFrom('node.ts').external).toContain('node:crypto');
  });

  it('reaches no Node built-in module', () => {
    const builtins = new Set(builtinModules);
    const nodeOnly = [...external].filter((s) => s.startsWith('node:') || builtins.has(s));
    expect(nodeOnly).toEqual([]);
    expect(files).not.toContain('node.ts');
  });

  it('uses no Buffer or process global', () => {
    for (const file of files) {
      const code = readFileSync(join(srcDir, file), 'utf8').replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\bBuffer\b|\bprocess\./);
    }
  });

  it('exports the browser API and not the node signer', () => {
    expect(Object.keys(browserEntry).sort()).toEqual([
      'RECEIPT_VERSION',
      'WEBHOOK_SIGNATURE_VERSION',
      'WEBHOOK_TOLERANCE_SECONDS',
      'assertUsablePublicKey',
      'base64urlDecode',
      'base64urlEncode',
      'canonicalJson',
      'canonicalSha256',
      'createNobleSigner',
      'jwkToPublicKey',
      'keyIdOf',
      'parseSeedHex',
      'publicKeyToJwk',
      'receiptSigningBytes',
      'sha256Hex',
      'signReceipt',
      'signReceiptAsync',
      'signWebhook',
      'stripNulls',
      'trustedKeyMap',
      'verifyDetached',
      'verifyReceipt',
      'verifyWebhook',
      'webhookSigningBytes',
    ]);
  });
});

describe('package.json exports', () => {
  it.each([
    ['.', 'index'],
    ['./node', 'node'],
  ])('maps %s to src/%s.ts first, then dist', (subpath, name) => {
    const entry = packageJson.exports[subpath];
    expect(Object.keys(entry)[0]).toBe('source');
    expect(entry).toEqual({
      source: `./src/${name}.ts`,
      types: `./dist/${name}.d.ts`,
      default: `./dist/${name}.js`,
    });
    expect(() => readFileSync(join(srcDir, `${name}.ts`))).not.toThrow();
  });
});
