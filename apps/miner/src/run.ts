import { startAgent } from './agent.js';
import { ConfigError, HELP, parseConfig, USAGE } from './config.js';

/**
 * The `aitbc-miner` command (also `aitbc miner start`): parses flags and environment, runs the
 * agent until it is drained by a signal, and answers the exit code — 0 after a drain, 1 when it
 * could not run (a refused key), 2 on a bad configuration.
 */
export async function runAgentCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(argv, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (config === HELP) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const agent = await startAgent(config);
  agent.handleSignals();
  return (await agent.stopped) === 'fatal' ? 1 : 0;
}
