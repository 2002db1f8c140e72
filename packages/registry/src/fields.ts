import { z } from 'zod';

/**
 * Scheme, then an authority without `@` (no credentials) or `\` (which WHATWG parsers read as
 * `/`), then an optional path. The same rule is the JSON Schema `pattern`, so both validators agree.
 */
const HTTP_URL_PATTERN = /^https?:\/\/[^\s/?#@\\]+(?:[/?#]\S*)?$/;

/** An http(s) URL a miner may fetch: no other scheme, no `user:pass@`, at most 2048 characters. */
export const httpUrl = z
  .url({ protocol: /^https?$/, abort: true, error: 'Invalid URL: expected http or https' })
  .max(2048)
  .regex(HTTP_URL_PATTERN, 'Invalid URL: expected http(s)://host/path without credentials')
  .meta({ format: 'uri', examples: ['https://example.com/input.bin'] });

/** A column or field name of a tabular input. */
export const ColumnName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'a column name');

export const Seed = z.number().int().min(0).max(4_294_967_295);

/** A file a miner produced. */
export const Artifact = z.object({
  url: httpUrl,
  content_type: z.string().min(1).max(255),
  size_bytes: z.number().int().nonnegative().optional(),
  sha256: z
    .string()
    .regex(/^[a-f0-9]{64}$/)
    .optional(),
});
