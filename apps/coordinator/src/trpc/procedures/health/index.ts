export { live } from './live.js';
export { ready } from './ready.js';
