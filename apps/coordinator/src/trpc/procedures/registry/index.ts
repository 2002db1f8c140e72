export { categories } from './categories.js';
export { get } from './get.js';
export { list } from './list.js';
export { pricing } from './pricing.js';
export { requirements } from './requirements.js';
export { schema } from './schema.js';
