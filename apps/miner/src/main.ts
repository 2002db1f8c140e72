import { runAgentCommand } from './run.js';

runAgentCommand(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`aitbc-miner: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
