import { z } from 'zod';

/**
 * tRPC hands a resuming subscription its last event id as `input.lastEventId` (from SSE's
 * `Last-Event-ID` header, or the WebSocket link's reconnect); the contract's inputs name it
 * `last_event_id`. Both are accepted; the transport's, being the newer, wins.
 */
export const LastEventIdField = {
  lastEventId: z.string().regex(/^\d+$/).max(20).optional(),
};

export const resumeAfter = (input: {
  last_event_id?: string | undefined;
  lastEventId?: string | undefined;
}): string | undefined => input.lastEventId ?? input.last_event_id;
