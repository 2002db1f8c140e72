import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';

/** Entry point: config from env/.env, start, and shut down gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const address = await app.http.listen({ port: config.port, host: config.host });
  const base = address.replace('[::1]', 'localhost');
  const lines = [
    `AITBC coordinator listening on ${base} (APP_ENV=${config.appEnv}, database: ${config.databaseUrl ? 'PostgreSQL' : `embedded, in ${config.dataDir}`})`,
    `  API reference: ${base}/docs   OpenAPI: ${base}/openapi.json   tRPC: ${base}/trpc`,
    ...app.devKeys.map((k) => `  dev ${k.role} key (${k.name}): ${k.key}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.http.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.http.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
