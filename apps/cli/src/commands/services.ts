import { CliError, EXIT } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { renderFields, renderTable } from '../table.js';
import { type Args, allowOnly } from './args.js';

export const SERVICES_USAGE = `aitbc services [list] [--category C] [--search TERMS]
aitbc services show <service-id>`;

type Pricing = { model: string; unit_price: number; unit?: string | undefined };
const priceText = (p: readonly Pricing[]): string =>
  p.map((t) => `${t.unit_price} AITBC/${t.unit ?? t.model}`).join(', ') || '-';

/** The registry: what can be run, its requirements and prices (public routes, no key needed). */
export async function servicesCommand(
  ctx: CommandContext,
  command: string | undefined,
  args: Args,
): Promise<number> {
  const trpc = ctx.publicClient().trpc;
  if (command === undefined || command === 'list') {
    allowOnly(args, 'services list', ['category', 'search']);
    const { category, search } = args.values;
    const { items } = await trpc.registry.list.query({
      ...(category ? { category: category as never } : {}),
      ...(search ? { search } : {}),
    });
    const table = renderTable(items, [
      { header: 'ID', value: (s) => s.id },
      { header: 'CATEGORY', value: (s) => s.category },
      { header: 'NAME', value: (s) => s.name },
      { header: 'PRICE', value: (s) => priceText(s.pricing) },
    ]);
    ctx.print(items.length === 0 ? 'no services match' : table, items);
    return EXIT.OK;
  }
  if (command === 'show') {
    allowOnly(args, 'services show', []);
    const [, , id, ...rest] = args.positionals;
    if (!id || rest.length > 0) throw new CliError(EXIT.USAGE, 'expected one <service-id>');
    const service = await trpc.registry.get.query({ id });
    const human = renderFields([
      ['id', service.id],
      ['name', service.name],
      ['category', service.category],
      ['description', service.description],
      ['requirements', service.requirements.map((r) => JSON.stringify(r)).join('; ') || '-'],
      ['pricing', priceText(service.pricing)],
      ['timeout', `${service.timeout_seconds} s`],
      ['typed endpoint', service.typed_endpoint ?? '-'],
      ['example', JSON.stringify(service.example)],
    ]);
    ctx.print(human, service);
    return EXIT.OK;
  }
  throw new CliError(EXIT.USAGE, `unknown command "services ${command}"\n${SERVICES_USAGE}`);
}
