import { listServices } from './catalog.js';
import { type PricingTier, type Requirement, SERVICE_CATEGORIES } from './types.js';
import { toServiceView, typedEndpointViews } from './view.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function requirement(r: Requirement): string {
  if (r.component === 'gpu') return `${r.min === 'any' ? 'any' : r.min} GPU`;
  const value = `${r.min}${r.unit ? ` ${r.unit}` : ''}`;
  const recommended =
    r.recommended === undefined
      ? ''
      : ` (${r.recommended}${r.unit ? ` ${r.unit}` : ''} recommended)`;
  return `${r.component} ≥ ${value}${recommended}`;
}

function price(p: PricingTier): string {
  const unit = p.unit ?? p.model.replace(/^per_/, '');
  const minimum = p.min_charge === undefined ? '' : `, min ${p.min_charge}`;
  return p.model === 'fixed'
    ? `${p.unit_price} ${p.currency} fixed`
    : `${p.unit_price} ${p.currency}/${unit}${minimum}`;
}

/**
 * The service catalog as a Markdown page (docs/generated/services.md), rendered from the same data
 * the registry routes serve, so the docs can never list a service the coordinator does not know.
 */
export function renderServicesDoc(): string {
  const lines = [
    '<!-- DO NOT EDIT. Generated from packages/registry by `npm run docs -w @aitbc/registry`. -->',
    '',
    '# Services',
    '',
    'Every service the coordinator accepts jobs for (`POST /v1/jobs` with `"service": "<id>"`), as',
    'served by `GET /v1/registry/services`; the JSON Schema of each payload is at',
    '`GET /v1/registry/services/{id}/schema`. Prices are in AITBC.',
    '',
    '## Typed endpoints',
    '',
    '| endpoint | description |',
    '|---|---|',
    ...typedEndpointViews().map((e) => `| \`${e.method} ${e.path}\` | ${cell(e.description)} |`),
  ];
  for (const category of SERVICE_CATEGORIES) {
    lines.push(
      '',
      `## ${category}`,
      '',
      '| id | service | needs | pricing | timeout |',
      '|---|---|---|---|---|',
    );
    for (const s of listServices({ category }).map(toServiceView)) {
      const needs = s.requirements.map(requirement).join('; ');
      lines.push(
        `| \`${s.id}\` | **${cell(s.name)}**: ${cell(s.description)} | ${cell(needs)} | ${cell(s.pricing.map(price).join('; '))} | ${s.timeout_seconds} s |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
