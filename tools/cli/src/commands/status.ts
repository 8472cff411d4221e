/**
 * `cairn status`: the live gateways as the invalidation service hears their heartbeats
 * (`GET /gateways`: applied invalidation sequence, feed mode), their lag behind the newest
 * invalidation event (`GET /cache/invalidations?limit=1`) and their hit ratio (from the answer
 * counts in their heartbeats); for each gateway admin URL given, its readiness, rule count
 * and hit ratio as its `/metrics` says.
 */
import type { CairnCommand } from '../command.js';
import { OperationFailedError, UnreachableError } from '../errors.js';
import { gatewayStatuses, type GatewayStatus, type ListedGateway } from '../fleet-status.js';
import { hitCountsFromMetrics, type HitCounts } from '../hit-ratio.js';
import { RestClient } from '../rest-client.js';
import { httpUrl } from '../settings.js';
import { formatTable } from '../text-table.js';

const ADMIN_TIMEOUT_MS = 10_000;

interface AdminStatus extends HitCounts {
  url: string;
  ready: boolean;
  rules: number | undefined;
  invalidationLag: number | undefined;
  mode: string | undefined;
}

async function adminGet(url: string, path: string): Promise<Response> {
  try {
    return await fetch(`${url}${path}`, { signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS) });
  } catch (err) {
    throw new UnreachableError('the gateway admin port', url, err);
  }
}

async function adminStatus(url: string): Promise<AdminStatus> {
  const ready = await adminGet(url, '/ready');
  // /ready answers 503 with the same body while the gateway catches up.
  if (ready.status !== 200 && ready.status !== 503) throw new OperationFailedError(`gateway admin ${url}: GET /ready: ${ready.status} ${ready.statusText}`);
  const readiness = (await ready.json()) as { ready?: boolean; rules?: { count?: number }; invalidations?: { lag?: number; mode?: string } };
  const metrics = await adminGet(url, '/metrics');
  if (!metrics.ok) throw new OperationFailedError(`gateway admin ${url}: GET /metrics: ${metrics.status} ${metrics.statusText}`);
  return {
    url,
    ready: readiness.ready === true,
    rules: readiness.rules?.count,
    invalidationLag: readiness.invalidations?.lag,
    mode: readiness.invalidations?.mode,
    ...hitCountsFromMetrics(await metrics.text()),
  };
}

function adminUrls(option: unknown, env: NodeJS.ProcessEnv): string[] {
  const given = Array.isArray(option) ? (option as string[]) : (env.CAIRN_GATEWAY_ADMIN_URLS ?? '').split(',');
  return given
    .map((url) => url.trim())
    .filter((url) => url !== '')
    .map((url) => httpUrl(url, 'gateway-admin', 'CAIRN_GATEWAY_ADMIN_URLS'));
}

const percent = (ratio: number | null): string => (ratio === null ? '-' : `${(ratio * 100).toFixed(1)}%`);

function describe(newestSeq: number, gateways: GatewayStatus[], admins: AdminStatus[]): string {
  const lines = [`invalidation stream: newest event ${newestSeq === 0 ? 'none' : `#${newestSeq}`}`, `live gateways: ${gateways.length}`];
  if (gateways.length > 0) {
    lines.push(formatTable(['GATEWAY', 'APPLIED', 'LAG', 'MODE', 'HIT RATIO', 'HEARTBEAT'], gateways.map((g) => [g.gatewayId, String(g.appliedSeq), String(g.lag), g.mode, percent(g.hitRatio), g.sentAt])));
  }
  if (admins.length > 0) {
    lines.push(
      formatTable(
        ['ADMIN', 'READY', 'RULES', 'LAG', 'MODE', 'REQUESTS', 'HIT RATIO'],
        admins.map((a) => [a.url, a.ready ? 'yes' : 'no', String(a.rules ?? '-'), String(a.invalidationLag ?? '-'), a.mode ?? '-', String(a.requests), percent(a.hitRatio)]),
      ),
    );
  }
  return lines.join('\n');
}

export const status: CairnCommand = {
  path: ['status'],
  summary: 'Live gateways: applied invalidation sequence, lag, feed mode and hit ratio; readiness from gateway admin ports.',
  args: [],
  options: [
    {
      name: 'gateway-admin',
      type: 'string',
      multiple: true,
      placeholder: 'url',
      description: 'a gateway admin URL to read readiness, rule count and hit ratio from (repeatable; env CAIRN_GATEWAY_ADMIN_URLS, comma-separated)',
    },
  ],
  examples: ['cairn status', 'cairn status --gateway-admin http://127.0.0.1:9080 --json'],
  async run(input) {
    const urls = adminUrls(input.options['gateway-admin'], input.settings.env);
    const client = new RestClient('invalidation service', input.settings.invalidationUrl, input.settings.credentials);
    const { gateways } = (await client.request('GET', '/gateways')).body as { gateways: ListedGateway[] };
    const { events } = (await client.request('GET', '/cache/invalidations?limit=1')).body as { events: { sequence: number }[] };
    const newestSeq = events[0]?.sequence ?? 0;
    const statuses = gatewayStatuses(gateways, newestSeq);
    const admins = await Promise.all(urls.map(adminStatus));
    return { data: { newestInvalidationSeq: newestSeq, gateways: statuses, admin: admins }, text: describe(newestSeq, statuses, admins) };
  },
};
