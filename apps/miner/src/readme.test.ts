import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SOURCES } from './config.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** `[flag, variable]` of each row of the README's configuration table. */
function documentedSettings(): [string | null, string | null][] {
  const section = README.slice(README.indexOf('## Configuration'), README.indexOf('## Executors'));
  return section
    .split('\n')
    .filter((line) => /^\| (`|\s)/.test(line) && !line.includes('---'))
    .map((line) => {
      const [flag, variable] = line
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim());
      const code = (cell = '') => /^`([^`]+)`$/.exec(cell)?.[1] ?? null;
      return [code(flag), code(variable)];
    });
}

describe('apps/miner/README.md', () => {
  it('documents exactly the settings the agent reads', () => {
    const actual = Object.values(CONFIG_SOURCES).map(([flag, variable]) => [flag, variable]);
    expect(documentedSettings()).toEqual(actual);
  });
});
