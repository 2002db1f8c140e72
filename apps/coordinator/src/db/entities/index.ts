import { JobEntity } from './job.entity.js';
import { MinerEntity } from './miner.entity.js';
import { ReceiptEntity } from './receipt.entity.js';

export { JobEntity, type JobRow } from './job.entity.js';
export { MinerEntity, type MinerRow } from './miner.entity.js';
export { ReceiptEntity } from './receipt.entity.js';

export const entities = [JobEntity, MinerEntity, ReceiptEntity];
