import { Migration20261128000001Initial } from './Migration20261128000001Initial.js';
import { Migration20261128000002RequestSecurity } from './Migration20261128000002RequestSecurity.js';
import { Migration20261128000003JobEvents } from './Migration20261128000003JobEvents.js';
import { Migration20261128000004Webhooks } from './Migration20261128000004Webhooks.js';

/** Imported classes, not a glob: the same list works from src (tests) and from dist. */
export const migrationsList = [
  { name: 'Migration20261128000001Initial', class: Migration20261128000001Initial },
  { name: 'Migration20261128000002RequestSecurity', class: Migration20261128000002RequestSecurity },
  { name: 'Migration20261128000003JobEvents', class: Migration20261128000003JobEvents },
  { name: 'Migration20261128000004Webhooks', class: Migration20261128000004Webhooks },
];
