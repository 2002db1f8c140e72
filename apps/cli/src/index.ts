export { exitCodeOf, runCli, USAGE } from './cli.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export type { Io } from './io.js';
