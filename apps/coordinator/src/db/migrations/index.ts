import { Migration20261128000001Initial } from './Migration20261128000001Initial.js';

/** Imported classes, not a glob: the same list works from src (tests) and from dist. */
export const migrationsList = [
  { name: 'Migration20261128000001Initial', class: Migration20261128000001Initial },
];
