export * as MINER_TIMING from './constants.js';
export type { MinerEvent, MinerEventType, MinerLogger, MinerStep } from './events.js';
export * from './executor.js';
export { createMiner, type Miner, type MinerOptions } from './miner.js';
export type {
  CallOptions,
  FailInput,
  FailureKind,
  HeartbeatAnswer,
  MinerApi,
  ProgressInput,
  RegisterInput,
  Registration,
  ResultInput,
} from './miner-api.js';
export { classifyFailure } from './miner-api.js';
export { createTrpcMinerApi } from './trpc-api.js';
export type { Assignment, Gpu, Receipt, ReceiptSignature } from './wire-types.js';
