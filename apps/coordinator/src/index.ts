export { type App, type AppOptions, createApp } from './app.js';
export { type Config, ConfigError, loadConfig } from './config/config.js';
export { buildOpenApiDocument } from './http/openapi.js';
export { type Clock, ManualClock } from './services/clock.js';
export type { AppRouter } from './trpc/router.js';
