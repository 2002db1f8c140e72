import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN_JS = fileURLToPath(new URL('../../apps/coordinator/dist/main.js', import.meta.url));

export interface RunningCoordinator {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the built coordinator as a child process — exactly what `npm start` runs — on the
 * embedded database in `dataDir`, and resolves with its address once it prints its listening
 * line (port 0: the system picks a free one).
 */
export async function startCoordinator(
  dataDir: string,
  env: Record<string, string>,
): Promise<RunningCoordinator> {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the coordinator exited (${code}):\n${output}`)));
  });
  return { baseUrl, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
