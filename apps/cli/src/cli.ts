import { isAitbcError, toAitbcError } from '@aitbc/client';
import { runAgentCommand } from '@aitbc/miner-agent';
import { ADMIN_USAGE, adminCommand } from './commands/admin.js';
import { parseCommandLine } from './commands/args.js';
import { JOBS_USAGE, jobsCommand } from './commands/jobs.js';
import { SERVICES_USAGE, servicesCommand } from './commands/services.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { CommandContext, DEFAULT_URL, type Io } from './io.js';

export const USAGE = `Usage: aitbc <group> <command> [arguments] [flags]

${JOBS_USAGE}

${SERVICES_USAGE}

aitbc miner start [aitbc-miner flags]   run the miner agent (aitbc miner start --help)

${ADMIN_USAGE}

Flags for every command:
  --url URL       the coordinator (AITBC_URL, default ${DEFAULT_URL})
  --key KEY       the API key; else AITBC_CLIENT_KEY / AITBC_ADMIN_KEY by command, else the dev
                  keys a local \`npm start\` wrote to $DATA_DIR/dev-api-keys.json (./.data)
  --key-id NAME   sign requests as NAME instead of sending the key (AITBC_KEY_ID)
  --json          machine-readable output on stdout (errors as JSON on stderr)

Exit codes: 0 ok, 2 usage, 3 refused (4xx), 4 not found, 5 auth, 6 job did not complete,
7 wait timed out, 8 receipt invalid, 9 coordinator unreachable or 5xx, 1 anything else.`;

/** Runs one command line and answers its exit code; never throws. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  // The agent has its own flags: hand them over untouched.
  if (argv[0] === 'miner' && argv[1] === 'start') return runAgentCommand(argv.slice(2), io.env);
  let json = argv.includes('--json');
  try {
    const args = parseCommandLine(argv);
    json = args.values.json === true;
    const [group, command] = args.positionals;
    if (args.values.help || group === undefined || group === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return group === undefined && !args.values.help ? EXIT.USAGE : EXIT.OK;
    }
    const ctx = new CommandContext(io, args.values);
    if (group === 'jobs' && command) return await jobsCommand(ctx, command, args);
    if (group === 'services') return await servicesCommand(ctx, command, args);
    if (group === 'admin' && command) return await adminCommand(ctx, command, args);
    throw new CliError(EXIT.USAGE, `unknown command "${args.positionals.join(' ')}"\n\n${USAGE}`);
  } catch (error) {
    return reportError(io, error, json);
  }
}

function reportError(io: Io, error: unknown, json: boolean): ExitCode {
  const { exitCode, code, message, issues } = describeError(error);
  if (json) {
    io.stderr.write(
      `${JSON.stringify({ error: { code, message, ...(issues ? { issues } : {}) } })}\n`,
    );
  } else {
    // The message often is the one issue already; list the others, one field per line.
    const others = issues?.filter((i) => !message.includes(`${i.path}: ${i.message}`)) ?? [];
    const fields = others.map((i) => `\n  ${i.path || '(body)'}: ${i.message}`).join('');
    io.stderr.write(`aitbc: ${message}${code ? ` (${code})` : ''}${fields}\n`);
  }
  return exitCode;
}

interface DescribedError {
  exitCode: ExitCode;
  code?: string | undefined;
  message: string;
  issues?: { path: string; message: string }[] | undefined;
}

function describeError(thrown: unknown): DescribedError {
  // Calls through `client.trpc` (services, admin) throw tRPC's own error; the SDK reads it.
  const error =
    thrown instanceof Error && thrown.name === 'TRPCClientError' ? toAitbcError(thrown) : thrown;
  if (error instanceof CliError)
    return { exitCode: error.exitCode, code: error.code, message: error.message };
  if (isAitbcError(error))
    return {
      exitCode: exitCodeOf(error.code, error.status),
      code: error.code,
      message: error.message,
      issues: error.issues,
    };
  return {
    exitCode: EXIT.UNEXPECTED,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** The SDK's error codes and HTTP statuses, as the exit codes scripts check. */
export function exitCodeOf(code: string, status: number): ExitCode {
  if (code === 'WAIT_TIMEOUT') return EXIT.TIMEOUT;
  if (code === 'RECEIPT_INVALID') return EXIT.RECEIPT_INVALID;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 0 || status >= 500) return EXIT.UNAVAILABLE;
  if (status >= 400) return EXIT.REFUSED;
  return EXIT.UNEXPECTED;
}
