export {
  categories,
  constraintsForRequest,
  estimatePrice,
  getService,
  indexById,
  type ListServicesOptions,
  listServices,
  planServiceJob,
  priceForRequest,
  SERVICES,
  type ServiceJobPlan,
  serviceJsonSchema,
  timeoutForRequest,
  type ValidationResult,
  validateServiceInput,
} from './catalog.js';
export { mergeConstraints, requirementsToConstraints } from './constraints.js';
export { httpUrl } from './fields.js';
export { MAX_TIMEOUT_SECONDS } from './helpers.js';
export * from './typed-requests.js';
export * from './types.js';
export * from './view.js';
