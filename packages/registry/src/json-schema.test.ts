import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceJsonSchema } from './catalog.js';

/**
 * The /schema route publishes z.toJSONSchema of each input; here a real JSON Schema validator
 * checks that what it accepts and refuses agrees with zod on samples derived from the schema.
 * Cross-field rules (`.refine`, e.g. frame_end ≥ frame_start) are zod-only and not sampled.
 */

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type AjvInstance = { compile(schema: object): Validate };
type AjvClass = new (options: object) => AjvInstance;

async function loadAjv(): Promise<AjvClass> {
  // A variable specifier keeps the type checker from requiring ajv to be installed.
  const specifier = 'ajv/dist/2020.js';
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as {
      default: AjvClass | { default: AjvClass };
    };
    return 'default' in mod.default ? mod.default.default : mod.default;
  } catch (cause) {
    throw new Error(
      'These tests validate the registry JSON Schemas with ajv, which is not installed: add ' +
        '"ajv": "8.17.1" to the root devDependencies (npm install -D ajv@8.17.1).',
      { cause },
    );
  }
}

type Prop = {
  type?: string | string[];
  anyOf?: Prop[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
};

/** Every branch of a property: itself and its anyOf alternatives. */
const branches = (p: Prop): Prop[] => [p, ...(p.anyOf ?? []).flatMap(branches)];

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function allows(p: Prop, v: unknown): boolean {
  const types = branches(p).flatMap((b) => (b.type === undefined ? [] : [b.type].flat()));
  const t = jsonType(v);
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** Values that break one rule of the property, each refused by a correct validator. */
function invalidValues(p: Prop, valid: unknown): unknown[] {
  const out: unknown[] = [];
  const wrongType = [true, 'not-valid', 1.5, [], {}].find((v) => !allows(p, v));
  if (wrongType !== undefined) out.push(wrongType);
  for (const b of branches(p)) {
    if (b.enum) {
      const nums = b.enum.filter((e): e is number => typeof e === 'number');
      out.push(nums.length > 0 ? Math.max(...nums) + 1 : 'zz-not-a-member');
    }
    if (b.maximum !== undefined) out.push(b.maximum + 1);
    if (b.minimum !== undefined && b.minimum > Number.MIN_SAFE_INTEGER) out.push(b.minimum - 1);
    if (b.exclusiveMinimum !== undefined) out.push(b.exclusiveMinimum);
    if (b.maxLength !== undefined) out.push('a'.repeat(b.maxLength + 1));
    if (b.minLength !== undefined && b.minLength > 0) out.push('');
    if (b.format === 'uri')
      out.push('ftp://example.com/x', 'file:///etc/passwd', 'https://u:p@example.com/x');
    if (b.minItems !== undefined && b.minItems > 0) out.push([]);
    if (b.maxItems !== undefined && Array.isArray(valid) && valid.length > 0)
      out.push(Array.from({ length: b.maxItems + 1 }, () => valid[0]));
  }
  return out;
}

let Ajv: AjvClass;
beforeAll(async () => {
  Ajv = await loadAjv();
});

describe.each(SERVICES)('$id JSON Schema', (service) => {
  const schema = serviceJsonSchema(service.id) as {
    properties: Record<string, Prop>;
    required?: string[];
  };
  const full = service.input.parse(service.example) as Record<string, unknown>;

  /** Both validators, on one sample: they must agree, and on `expected`. */
  function agree(sample: unknown, expected: boolean) {
    const validate = new Ajv({ strict: true, allErrors: true, validateFormats: false }).compile(
      schema,
    );
    const label = JSON.stringify(sample).slice(0, 200);
    expect(validate(sample), `JSON Schema on ${label}`).toBe(expected);
    expect(service.input.safeParse(sample).success, `zod on ${label}`).toBe(expected);
  }

  it('compiles under ajv strict mode', () => {
    expect(() => new Ajv({ strict: true, validateFormats: false }).compile(schema)).not.toThrow();
  });

  it('agrees on valid samples: the example, and every default spelled out', () => {
    agree(service.example, true);
    agree(full, true);
  });

  it('agrees on unknown fields and missing required fields', () => {
    agree({ ...full, custom_args: ['--x'] }, false);
    for (const field of schema.required ?? []) {
      const { [field]: _, ...rest } = full;
      agree(rest, false);
    }
    agree('not an object', false);
  });

  it('agrees on each field rule broken one at a time', () => {
    const samples = Object.entries(schema.properties).flatMap(([field, prop]) =>
      invalidValues(prop, full[field]).map((value) => ({ ...full, [field]: value })),
    );
    expect(samples.length).toBeGreaterThan(Object.keys(schema.properties).length / 2);
    for (const sample of samples) agree(sample, false);
  });
});

describe('the ajv agreement check itself', () => {
  it('notices a JSON Schema that is looser than zod', () => {
    const validate = new Ajv({ strict: true }).compile({ type: 'object' });
    const service = SERVICES.find((s) => s.id === 'llm_inference');
    const sample = { model: 'llama-7b', prompt: 'p', max_tokens: 99999 };
    expect(validate(sample)).toBe(true);
    expect(service?.input.safeParse(sample).success).toBe(false);
  });
});
