import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { runCli } from './cli.js';

const readInput = async (path: string): Promise<string> =>
  path === '-' ? text(process.stdin) : readFileSync(path, 'utf8');

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readInput,
}).then((code) => {
  process.exitCode = code;
});
