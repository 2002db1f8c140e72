import type { MinerCapabilities } from '@aitbc/contracts';
import { createMiner, type MinerEvent } from '@aitbc/miner';
import {
  type AgentConfig,
  type AgentConfigInput,
  type ExecutorName,
  validateConfig,
} from './config.js';
import { type detectFfmpeg, type ExecutorSelection, selectExecutors } from './executors/index.js';
import { type AgentLogger, createLogger, logEvent } from './logger.js';
import { describeHardware, type HardwareProfile, probeHardware, toCapabilities } from './probe.js';
import { unmetRequirement } from './service-fit.js';

export interface StartAgentOptions {
  logger?: AgentLogger;
  /** Sees every runtime event after the agent has logged it. */
  onEvent?(event: MinerEvent): void;
  probe?: () => Promise<HardwareProfile>;
  detectFfmpeg?: typeof detectFfmpeg;
}

export interface Agent {
  minerId: string;
  hardware: HardwareProfile;
  offered: ExecutorName[];
  /** Drains: no new jobs, in-flight ones get `graceMs` (default 30 s), then it is stopped. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Resolves once the agent stopped: `stop()`, `once` jobs done, or `fatal` (key refused). */
  stopped: Promise<'stop' | 'fatal'>;
  /** First SIGTERM/SIGINT drains and exits 0; a second aborts running jobs (they requeue). */
  handleSignals(): void;
  /** Jobs whose executor is still running. */
  inflight(): number;
}

/** Events after which this agent no longer holds the job. */
const JOB_ENDED = new Set<MinerEvent['type']>([
  'job_completed',
  'job_failed',
  'job_canceled',
  'lease_lost',
]);

/**
 * Probes the machine, picks the executors it can run, registers with the coordinator and starts
 * taking jobs. Resolves once registered; rejects on a bad config, a refused key or when a
 * requested executor cannot run here.
 */
export async function startAgent(
  input: AgentConfigInput,
  options: StartAgentOptions = {},
): Promise<Agent> {
  const config = validateConfig(input);
  const log = options.logger ?? createLogger({ json: config.json });
  const hardware = declared(config, await (options.probe ?? probeHardware)());
  const selection = await selectExecutors(config, options.detectFfmpeg);
  const capabilities = toCapabilities(hardware);
  logStartup(log, hardware, selection);
  warnUnmatchable(log, Object.keys(selection.executors), capabilities, config.region);

  const lifecycle = watchLifecycle(config.once, log, () => void miner.stop());
  const miner = createMiner({
    baseUrl: config.url,
    apiKey: config.apiKey,
    ...(config.keyId ? { signing: { keyId: config.keyId } } : {}),
    capabilities,
    concurrency: config.concurrency,
    ...(config.region ? { region: config.region } : {}),
    executors: selection.executors,
    ...(config.pollWaitSeconds !== undefined ? { pollWaitSeconds: config.pollWaitSeconds } : {}),
    logger: log,
    onEvent(event) {
      logEvent(log, event);
      options.onEvent?.(event);
      lifecycle.observe(event);
    },
  });
  const registration = await miner.start();
  return {
    minerId: registration.miner_id,
    hardware,
    offered: selection.offered,
    stop: (stopOptions) => miner.stop(stopOptions),
    stopped: lifecycle.stopped,
    handleSignals: () => miner.handleSignals(),
    inflight: () => miner.inflight(),
  };
}

function logStartup(log: AgentLogger, hardware: HardwareProfile, selection: ExecutorSelection) {
  log.info('hardware', describeHardware(hardware));
  log.info('executors', {
    offered: selection.offered.join(','),
    ...(selection.ffmpegVersion ? { ffmpeg: selection.ffmpegVersion } : {}),
  });
  for (const { name, reason } of selection.unavailable) log.info(`${name} not offered: ${reason}`);
}

/** An offered service whose registry requirements this machine fails never gets a job. */
function warnUnmatchable(
  log: AgentLogger,
  services: string[],
  capabilities: MinerCapabilities,
  region: string | undefined,
) {
  for (const service of services) {
    const unmet = unmetRequirement(service, capabilities, region);
    if (!unmet) continue;
    log.warn(`${service} is offered, but this machine fails its registry requirement "${unmet}"`, {
      hint: 'the coordinator hands such jobs only to miners that meet it',
    });
  }
}

/** Resolves `stopped` on the runtime's `stopped` event; calls `stop` once `once` jobs ended. */
function watchLifecycle(once: number | undefined, log: AgentLogger, stop: () => void) {
  let resolveStopped: (reason: 'stop' | 'fatal') => void = () => {};
  const stopped = new Promise<'stop' | 'fatal'>((resolve) => {
    resolveStopped = resolve;
  });
  const ended = new Set<string>();
  const observe = (event: MinerEvent) => {
    if (event.type === 'stopped') resolveStopped(event.reason);
    if (!JOB_ENDED.has(event.type) || !('jobId' in event) || ended.has(event.jobId)) return;
    ended.add(event.jobId);
    if (ended.size === once) {
      log.info(`${once} job(s) done (--once); stopping`);
      stop();
    }
  };
  return { stopped, observe };
}

/** The probed hardware with the GPUs and CUDA version the configuration declares, if any. */
function declared(config: AgentConfig, probed: HardwareProfile): HardwareProfile {
  return {
    ...probed,
    ...(config.gpus ? { gpus: config.gpus.map((g) => ({ ...g, driver: 'declared' })) } : {}),
    ...(config.cuda ? { cuda: config.cuda } : {}),
  };
}
