import { verifyReceiptOffline } from '@aitbc/client';
import { CliError, EXIT } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { receiptFields, verificationText } from '../render.js';
import type { Args } from './args.js';

/**
 * `aitbc jobs verify <file|->`: checks a receipt — or a `/result` answer holding one — against the
 * coordinator's published keys, or offline against a JWK Set file given with `--keys`.
 */
export async function verifyCommand(ctx: CommandContext, args: Args): Promise<number> {
  const [, , source, ...rest] = args.positionals;
  if (!source || rest.length > 0)
    throw new CliError(EXIT.USAGE, 'expected one receipt file (or - for standard input)');
  const receipt = receiptIn(parseJson(source, await ctx.io.readInput(source)));
  const keysFile = args.values.keys;
  const verification = keysFile
    ? verifyReceiptOffline(receipt, parseJson(keysFile, await ctx.io.readInput(keysFile)) as never)
    : await ctx.publicClient().verifyReceipt(receipt);
  const human = isReceiptLike(receipt)
    ? receiptFields(receipt as never, verification)
    : `verified: ${verificationText(verification)}`;
  ctx.print(human, verification);
  return verification.ok ? EXIT.OK : EXIT.RECEIPT_INVALID;
}

function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT.USAGE, `${source} is not JSON: ${(error as Error).message}`);
  }
}

/** The receipt itself, or the `receipt` of a `/result` or `miners.result` answer. */
function receiptIn(value: unknown): unknown {
  if (isReceiptLike(value)) return value;
  const inner = (value as { receipt?: unknown } | null)?.receipt;
  if (isReceiptLike(inner)) return inner;
  throw new CliError(
    EXIT.USAGE,
    'no receipt in the input (expected a receipt or a /result answer)',
  );
}

function isReceiptLike(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && 'signature' in value && 'receipt_id' in value
  );
}
