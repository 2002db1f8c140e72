import { z } from 'zod';

export const HealthOutput = z.object({ status: z.literal('ok'), env: z.string() });
export const ReadyOutput = z.object({ status: z.literal('ready'), database: z.literal('ok') });
