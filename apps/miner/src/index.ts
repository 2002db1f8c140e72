export { type Agent, type StartAgentOptions, startAgent } from './agent.js';
export {
  AgentConfig,
  type AgentConfigInput,
  ConfigError,
  EXECUTOR_NAMES,
  type ExecutorName,
  HELP,
  parseConfig,
  USAGE,
  validateConfig,
} from './config.js';
export * from './executors/index.js';
export { type AgentLogger, createLogger, logEvent } from './logger.js';
export {
  type CommandRunner,
  describeHardware,
  type GpuInfo,
  type HardwareProfile,
  parseCudaVersion,
  parseGpuCsv,
  probeHardware,
  toCapabilities,
} from './probe.js';
export { runAgentCommand } from './run.js';
