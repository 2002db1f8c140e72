export { cancel } from './cancel.js';
export { explain } from './explain.js';
export { get } from './get.js';
export { list } from './list.js';
export { receipt } from './receipt.js';
export { receipts } from './receipts.js';
export { result } from './result.js';
export { submit } from './submit.js';
