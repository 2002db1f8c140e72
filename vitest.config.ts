import { connect } from 'node:net';
import { defineConfig } from 'vitest/config';

/** Whether the PostgreSQL the suites use answers (host/port of TEST_DATABASE_URL). */
function postgresReachable(): Promise<boolean> {
  const url = new URL(
    process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  );
  return reachable(url.hostname, Number(url.port || 5432));
}

/** Whether the Redis the suites use answers (host/port of TEST_REDIS_URL). */
function redisReachable(): Promise<boolean> {
  const url = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  return reachable(url.hostname, Number(url.port || 6379));
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => resolve(socket.end() && true));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(socket.destroy() && false));
  });
}

const coordinator = (name: string, db: 'embedded' | 'postgres') => ({
  extends: true as const,
  test: {
    name,
    include: ['apps/coordinator/test/**/*.test.ts'],
    env: { AITBC_TEST_DB: db },
    globalSetup: ['apps/coordinator/test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig(async () => {
  // Under CI the PostgreSQL suite always runs, so an unreachable server fails it instead of
  // silently skipping it. On a laptop without PostgreSQL it is left out, with a notice.
  const withPostgres = process.env.CI === 'true' || (await postgresReachable());
  if (!withPostgres)
    console.warn('PostgreSQL not reachable: running the embedded-database suites only');
  // Redis suites follow the same rule: under CI they run and an unreachable Redis fails them.
  const withRedis = process.env.CI === 'true' || (await redisReachable());
  if (!withRedis) console.warn('Redis not reachable: leaving out the Redis parts of the suites');
  return {
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: [
              'packages/*/src/**/*.test.ts',
              'sdk/*/src/**/*.test.ts',
              'apps/*/src/**/*.test.ts',
            ],
          },
        },
        coordinator('coordinator:embedded', 'embedded'),
        ...(withPostgres ? [coordinator('coordinator:postgres', 'postgres')] : []),
        {
          // Black-box tests of the built server (apps/coordinator/dist). Their PostgreSQL and
          // Redis parts run when AITBC_IT_POSTGRES / AITBC_IT_REDIS=on, by the rules above.
          extends: true,
          test: {
            name: 'integration',
            include: ['tests/**/*.test.ts'],
            env: {
              AITBC_IT_POSTGRES: withPostgres ? 'on' : 'off',
              AITBC_IT_REDIS: withRedis ? 'on' : 'off',
            },
            globalSetup: ['tests/support/global-setup.ts'],
            testTimeout: 60_000,
            hookTimeout: 90_000,
          },
        },
        {
          // The README's runnable blocks and examples/, against the built server.
          extends: true,
          test: {
            name: 'examples',
            include: ['examples/**/*.test.ts'],
            globalSetup: ['tests/support/global-setup.ts'],
            testTimeout: 60_000,
            hookTimeout: 90_000,
          },
        },
      ],
    },
  };
});
