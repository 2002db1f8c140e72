import { JwkSet } from '@aitbc/contracts';
import { z } from 'zod';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const keys = publicProcedure
  .meta(
    rest(
      'GET',
      '/v1/receipts/keys',
      'receipts',
      'The public keys receipts are signed with (JWK Set)',
      { protect: false },
    ),
  )
  .input(z.void())
  .output(JwkSet)
  .query(({ ctx }) => ctx.services.keys.jwks as z.infer<typeof JwkSet>);
