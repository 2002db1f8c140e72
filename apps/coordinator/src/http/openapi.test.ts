import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_OPENAPI_PATH, renderOpenApiFile } from './openapi.js';

describe('generated/openapi.json', () => {
  it('matches the router (run `npm run openapi -w @aitbc/coordinator` after changing a procedure)', () => {
    expect(readFileSync(GENERATED_OPENAPI_PATH, 'utf8')).toBe(renderOpenApiFile());
  });
});
