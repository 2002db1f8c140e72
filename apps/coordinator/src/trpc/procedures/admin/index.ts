export { events } from './events.js';
export { jobs } from './jobs.js';
export { miners } from './miners.js';
export { stats } from './stats.js';
