/** The result table: one row per probe, one column per proxy, totals at the end. */
import type { Probe, Verdict } from './probe.js';
import type { ProxyName } from './proxies/target.js';

export interface Column {
  name: ProxyName;
  /** Absent when the proxy could not be started (the reason is in `skipped`). */
  verdicts?: Map<string, Verdict>;
  skipped?: string;
  notes: string[];
}

const MARK: Record<Verdict['result'], string> = { pass: '✅', fail: '❌', info: 'ℹ️', 'n/a': '—' };
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function totals(probes: readonly Probe[], verdicts: Map<string, Verdict>): string {
  const judged = probes.filter((p) => ['pass', 'fail'].includes(verdicts.get(p.id)?.result ?? ''));
  const passed = judged.filter((p) => verdicts.get(p.id)?.result === 'pass');
  const must = judged.filter((p) => p.level === 'MUST');
  const mustPassed = must.filter((p) => verdicts.get(p.id)?.result === 'pass');
  return `${passed.length}/${judged.length} (MUST ${mustPassed.length}/${must.length})`;
}

export function renderReport(probes: readonly Probe[], columns: readonly Column[], meta: string[]): string {
  const header = `| probe | RFC § | ${columns.map((c) => c.name).join(' | ')} |`;
  const rule = `|---|---|${columns.map(() => '---').join('|')}|`;
  const rows = probes.map((probe) => {
    const cells = columns.map((column) => {
      if (!column.verdicts) return 'skipped';
      const verdict = column.verdicts.get(probe.id);
      return verdict ? `${MARK[verdict.result]} ${cell(verdict.reason)}` : 'not run';
    });
    return `| ${cell(probe.title)} | ${probe.rfc} ${probe.level} | ${cells.join(' | ')} |`;
  });
  const total = `| **passed** (of pass/fail probes) | | ${columns.map((c) => (c.verdicts ? `**${totals(probes, c.verdicts)}**` : `skipped: ${cell(c.skipped ?? '')}`)).join(' | ')} |`;
  const notes = columns.flatMap((c) => [...c.notes.map((n) => `- ${c.name}: ${n}`), ...(c.skipped ? [`- ${c.name}: skipped: ${c.skipped}`] : [])]);
  return [
    '# RFC 9111 conformance: cairn vs nginx vs varnish',
    '',
    ...meta.map((m) => `- ${m}`),
    ...notes,
    '',
    'Cache use is observed at the origin (requests counted per path). Levels are the cited text\'s; ',
    '`policy` rows report behaviour (ℹ️) and are not counted; — is not applicable.',
    '',
    header,
    rule,
    ...rows,
    total,
    '',
  ].join('\n');
}
