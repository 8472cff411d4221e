/**
 * `cairn purge <type> [value] [--soft|--refresh] [--async]`: an invalidation command sent to
 * `POST /cache/invalidate`, checked first against the shared command schema (a bad one is a
 * usage error and nothing is sent).
 */
import { describeFirstIssue, invalidationCommandSchema, type InvalidationCommand, type InvalidationConfirmation } from '@cairn/shared';
import type { CairnCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { RestClient } from '../rest-client.js';

type PurgeType = InvalidationCommand['type'];
const TYPES: readonly PurgeType[] = invalidationCommandSchema.shape.type.options;

/** What `value` is for each type: the field it fills, and whether the type needs it. */
const VALUE_FIELD: Record<PurgeType, { field: 'groupCode' | 'cacheTag' | 'url'; required: boolean }> = {
  api: { field: 'groupCode', required: false },
  page: { field: 'groupCode', required: false },
  all: { field: 'groupCode', required: false },
  group: { field: 'groupCode', required: true },
  cacheTag: { field: 'cacheTag', required: true },
  url: { field: 'url', required: true },
};

export function purgeCommand(type: string, value: string | undefined, options: { soft?: boolean; refresh?: boolean; async?: boolean }): InvalidationCommand {
  if (!(TYPES as readonly string[]).includes(type)) throw new UsageError(`purge: <type> expected one of ${TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  const { field, required } = VALUE_FIELD[type as PurgeType];
  if (required && value === undefined) throw new UsageError(`purge ${type}: missing <value> (the ${field})`);
  if (options.soft === true && options.refresh === true) throw new UsageError('purge: --soft and --refresh exclude each other');
  const mode = options.soft === true ? 'soft' : options.refresh === true ? 'refresh' : undefined;
  const parsed = invalidationCommandSchema.safeParse({
    type,
    ...(value === undefined ? {} : { [field]: value }),
    ...(mode === undefined ? {} : { mode }),
    ...(options.async === true ? { runAsync: true } : {}),
  });
  if (!parsed.success) {
    const issue = describeFirstIssue(parsed.error);
    throw new UsageError(`purge ${type}: ${issue.field === '' ? '' : `${issue.field}: `}${issue.message}`);
  }
  return parsed.data;
}

function describeTarget(command: InvalidationCommand): string {
  const value = command.groupCode ?? command.cacheTag ?? command.url;
  return `${command.type}${value === undefined ? '' : ` ${value}`}${command.mode === undefined ? '' : ` (${command.mode})`}`;
}

export const purge: CairnCommand = {
  path: ['purge'],
  summary: `Invalidate on every gateway. <type>: ${TYPES.join(', ')}; [value]: the group code (optional for api, page, all), tag or URL.`,
  args: [
    { name: 'type', required: true },
    { name: 'value', required: false },
  ],
  options: [
    { name: 'soft', type: 'boolean', description: 'serve stale while revalidating instead of never again' },
    { name: 'refresh', type: 'boolean', description: 'fetch the entries again now, once for the fleet' },
    { name: 'async', type: 'boolean', description: "answer at once, without waiting for the gateways' confirmations" },
  ],
  examples: [
    'cairn purge page',
    'cairn purge api checkout          # the api cache, rule group "checkout" only',
    'cairn purge cacheTag product-42 --soft',
    "cairn purge url '/products/42?color=red' --refresh",
    'cairn purge all --async',
  ],
  async run(input) {
    const command = purgeCommand(input.args.type as string, input.args.value, {
      soft: input.options.soft === true,
      refresh: input.options.refresh === true,
      async: input.options.async === true,
    });
    const client = new RestClient('invalidation service', input.settings.invalidationUrl, input.settings.credentials);
    const answer = await client.request('POST', '/cache/invalidate', command);
    if (answer.status === 202) {
      const { sequence } = answer.body as { sequence: number };
      return { data: answer.body, text: `purge ${describeTarget(command)} accepted: sequence ${sequence} (not waiting for gateways)` };
    }
    const report = answer.body as InvalidationConfirmation;
    const gateways = report.acknowledgedBy.length + report.pending.length;
    const pending = report.pending.length === 0 ? '' : `; pending: ${report.pending.join(', ')}`;
    return {
      data: report,
      text: `purge ${describeTarget(command)}: sequence ${report.sequence}, applied by ${report.acknowledgedBy.length} of ${gateways} gateways, ${report.deleted} entries deleted${pending}`,
    };
  },
};
