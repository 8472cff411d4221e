/**
 * deploy/grafana/cairn.json and deploy/prometheus/cairn-alerts.yml query only metrics the
 * services declare (by their name in the metrics modules' source), with labels those metrics
 * have, and only the jobs deploy/prometheus/prometheus.yml scrapes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/cairn.json'), 'utf8')) as {
  panels: Array<{ type: string; title?: string; description?: string; targets?: Array<{ expr: string }> }>;
};
const prometheusConfig = readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8');
const alertRules = readFileSync(join(root, 'deploy/prometheus/cairn-alerts.yml'), 'utf8');

/**
 * Queried by the dashboard before any service exports it; each needs the metric added to its
 * service's metrics module. A name here that a service now declares fails the test below.
 */
const PENDING_METRICS: string[] = [];
/** Labels Prometheus adds at scrape time, and the histogram bucket label. */
const SCRAPE_LABELS = new Set(['job', 'instance', 'le']);
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every `name: 'cairn_…'` declaration in the services' sources, with its label names. */
const declared = new Map<string, string[]>();
for (const service of readdirSync(join(root, 'services'))) {
  for (const file of sourceFiles(join(root, 'services', service, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/name: '(cairn_[a-z0-9_]+)'/g)) {
      const rest = text.slice(match.index + match[0].length);
      const next = rest.search(/name: '/);
      const block = next === -1 ? rest : rest.slice(0, next);
      const labels = /labelNames: \[([^\]]*)\]/.exec(block)?.[1] ?? '';
      declared.set(match[1]!, [...labels.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!));
    }
  }
}

const panelQueries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title ?? '', expr: target.expr })));
/** Each alert's one-line `expr:` (the file keeps them on one line so this reads them). */
const alertQueries = [...alertRules.matchAll(/- alert: (\S+)\n\s+expr: (.+)/g)].map((m) => ({ panel: `alert ${m[1]}`, expr: m[2]! }));
const targets = [...panelQueries, ...alertQueries];
const jobsIn = (queries: typeof targets): string[] => [...new Set(queries.flatMap(({ expr }) => [...expr.matchAll(/job="([^"]+)"/g)].map((m) => m[1]!)))].sort();
const scrapedJobs = [...prometheusConfig.matchAll(/job_name:\s*(\S+)/g)].map((m) => m[1]!).sort();
const baseName = (series: string): string => (declared.has(series) ? series : series.replace(HISTOGRAM_SERIES, ''));
const metricsIn = (expr: string): string[] => [...new Set([...expr.matchAll(/\b(cairn_[a-z0-9_]+)/g)].map((m) => baseName(m[1]!)))];

describe('the dashboard and the alerting rules', () => {
  it('finds the metric declarations it checks against', () => {
    expect(declared.get('cairn_gateway_requests_total')).toEqual(['cache', 'outcome', 'reason']);
  });

  it('reads every alert of cairn-alerts.yml', () => {
    expect(alertQueries.length).toBe([...alertRules.matchAll(/- alert: /g)].length);
    expect(alertQueries.length).toBeGreaterThan(0);
  });

  it('queries only metrics a service declares, besides the pending ones', () => {
    const unknown = targets.flatMap(({ panel, expr }) => metricsIn(expr).filter((name) => !declared.has(name) && !PENDING_METRICS.includes(name)).map((name) => `${panel}: ${name}`));
    expect(unknown).toEqual([]);
  });

  it('lists as pending only metrics no service declares yet', () => {
    expect(PENDING_METRICS.filter((name) => declared.has(name)), 'declared now: remove from PENDING_METRICS').toEqual([]);
  });

  it('selects and groups by labels the queried metric has', () => {
    const problems: string[] = [];
    for (const { panel, expr } of targets) {
      for (const selector of expr.matchAll(/\b(cairn_[a-z0-9_]+)\{([^}]*)\}/g)) {
        const name = baseName(selector[1]!);
        const labels = declared.get(name);
        if (labels === undefined) continue;
        for (const label of selector[2]!.matchAll(/([a-z_]+)\s*=~?/g)) if (!labels.includes(label[1]!) && !SCRAPE_LABELS.has(label[1]!)) problems.push(`${panel}: ${name} has no label ${label[1]}`);
      }
      const metrics = metricsIn(expr);
      if (metrics.length !== 1) continue;
      const labels = declared.get(metrics[0]!) ?? [];
      for (const group of expr.matchAll(/\bby \(([^)]*)\)/g)) {
        for (const label of group[1]!.split(',').map((l) => l.trim())) if (!labels.includes(label) && !SCRAPE_LABELS.has(label)) problems.push(`${panel}: ${metrics[0]} has no label ${label} to group by`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has the panels an operator looks at first', () => {
    const titles = dashboard.panels.map((p) => p.title ?? '');
    for (const wanted of [/hit ratio/i, /latency/i, /origin errors/i, /invalidation lag/i, /feed mode/i, /store size/i]) expect(titles.some((t) => wanted.test(t)), String(wanted)).toBe(true);
  });

  it('describes every panel that queries something', () => {
    expect(dashboard.panels.filter((p) => p.type !== 'row' && !p.description).map((p) => p.title)).toEqual([]);
  });

  it('has a dashboard querying each job deploy/prometheus/prometheus.yml scrapes, and no other', () => {
    expect(jobsIn(panelQueries)).toEqual(scrapedJobs);
  });

  it('has alerts only on jobs prometheus.yml scrapes, and prometheus.yml loads them', () => {
    expect(jobsIn(alertQueries).filter((job) => !scrapedJobs.includes(job))).toEqual([]);
    expect(prometheusConfig).toMatch(/rule_files:\s*\n\s*- cairn-alerts\.yml/);
  });
});
