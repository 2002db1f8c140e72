import type { IncomingMessage } from 'node:http';
import fastifyWebsocket from '@fastify/websocket';
import { getWSConnectionHandler, type WSSHandlerOptions } from '@trpc/server/adapters/ws';
import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '../config/api-keys.js';
import type { Config } from '../config/config.js';
import type { ServiceContext } from '../services/context.js';
import { createRequestContext, type RequestContext } from '../trpc/context.js';
import { appRouter } from '../trpc/router.js';
import { type Authentication, authenticateApiKey } from './authenticate.js';

type Auth = Pick<Authentication, 'principals' | 'refusal'>;
const UNCHECKED: Auth = { principals: null, refusal: null };

/**
 * tRPC over WebSocket at `/trpc` (wsLink), for subscriptions only: queries and mutations go over
 * HTTP, where each call is rate limited. The connection is authenticated once, by either
 * - the upgrade request's headers (`X-Api-Key`, `Authorization: Bearer`, or a §8a signature of
 *   `GET /trpc`), which pass the request guard like any request (a refused key: no upgrade), or
 * - wsLink's `connectionParams: { apiKey }` (browsers cannot set headers on a WebSocket), an
 *   unsigned key, so refused under REQUIRE_SIGNED_REQUESTS.
 */
export function registerTrpcWebSocket(
  app: FastifyInstance,
  config: Config,
  services: ServiceContext,
  keys: KeyRing,
): void {
  const upgrades = new WeakMap<IncomingMessage, Auth>();
  // The handler of one connection, without a WebSocketServer of tRPC's own: @fastify/websocket's
  // route hands each upgraded socket over, after the request guard has run on the upgrade.
  const options: Omit<WSSHandlerOptions<typeof appRouter>, 'wss'> = {
    router: appRouter,
    createContext: ({ req, info }): RequestContext => {
      const upgrade = upgrades.get(req) ?? UNCHECKED;
      const auth =
        upgrade.principals !== null || upgrade.refusal !== null
          ? upgrade
          : fromConnectionParams(keys, info.connectionParams, config);
      return {
        ...createRequestContext(services, auth, req.headers, () => info.signal),
        transport: 'ws',
      };
    },
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    onError: ({ error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error }, 'trpc ws error');
    },
  };
  const onConnection = getWSConnectionHandler(options as WSSHandlerOptions<typeof appRouter>);
  void app.register(fastifyWebsocket, { options: { maxPayload: config.maxBodyBytes } });
  void app.register(async (scope) => {
    scope.get('/trpc', { websocket: true }, (socket, request) => {
      upgrades.set(request.raw, request.auth ?? UNCHECKED);
      onConnection(socket, request.raw);
    });
  });
}

function fromConnectionParams(
  keys: KeyRing,
  params: Record<string, string | undefined> | null,
  config: Config,
): Auth {
  const apiKey = params?.apiKey ?? params?.api_key;
  if (typeof apiKey !== 'string') return UNCHECKED;
  return authenticateApiKey(keys, { 'x-api-key': apiKey }, config.security.requireSignedRequests);
}
