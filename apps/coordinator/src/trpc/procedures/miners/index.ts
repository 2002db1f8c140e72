export { assignments } from './assignments.js';
export { drain } from './drain.js';
export { fail } from './fail.js';
export { heartbeat } from './heartbeat.js';
export { poll } from './poll.js';
export { progress } from './progress.js';
export { register } from './register.js';
export { result } from './result.js';
