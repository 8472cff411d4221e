/** Rows of the fault table: each row runs bounded, and an error is a failed row, never a crash. */

export type Verdict = 'PASS' | 'FAIL' | 'UNAVAILABLE';

export interface Observation {
  pass: boolean | 'unavailable';
  observed: string;
  lost?: number;
  poisoned?: number;
  torn?: number;
}

export interface Row {
  group: string;
  fault: string;
  expectation: string;
  observed: string;
  verdict: Verdict;
  ms: number;
  lost: number;
  poisoned: number;
  torn: number;
}

export class Report {
  readonly rows: Row[] = [];
  readonly #match: string | undefined;

  /** `match`: only rows whose fault contains it run (FAULTS_MATCH, for working on one row). */
  constructor(match?: string) {
    this.#match = match;
  }

  /**
   * Runs one row within `boundMs`; a thrown error or a timeout fails the row. The row keeps
   * its place in the table even when rows run concurrently.
   */
  async row(group: string, fault: string, expectation: string, run: () => Promise<Observation>, boundMs = 60_000): Promise<void> {
    if (this.#match !== undefined && !fault.includes(this.#match)) return;
    const started = Date.now();
    const index = this.rows.length;
    this.rows.push({ group, fault, expectation, observed: 'did not finish', verdict: 'FAIL', ms: 0, lost: 0, poisoned: 0, torn: 0 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Observation>((resolve) => {
      timer = setTimeout(() => resolve({ pass: false, observed: `did not finish within ${boundMs} ms` }), boundMs);
    });
    let result: Observation;
    try {
      result = await Promise.race([run(), timeout]);
    } catch (err) {
      result = { pass: false, observed: `error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300) };
    } finally {
      clearTimeout(timer);
    }
    const verdict: Verdict = result.pass === 'unavailable' ? 'UNAVAILABLE' : result.pass ? 'PASS' : 'FAIL';
    const row: Row = {
      group,
      fault,
      expectation,
      observed: result.observed,
      verdict,
      ms: Date.now() - started,
      lost: result.lost ?? 0,
      poisoned: result.poisoned ?? 0,
      torn: result.torn ?? 0,
    };
    this.rows[index] = row;
    process.stderr.write(`[faults] ${verdict.padEnd(11)} ${group} / ${fault} (${row.ms} ms): ${row.observed}\n`);
  }

  /** The one table (markdown, so it pastes into the README), totals and the summary line. */
  print(totalMs: number): boolean {
    const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
    const lines = ['| # | group | fault | expectation | observed | result |', '|---|---|---|---|---|---|'];
    this.rows.forEach((row, i) => lines.push(`| ${i + 1} | ${row.group} | ${cell(row.fault)} | ${cell(row.expectation)} | ${cell(row.observed)} | ${row.verdict} |`));
    const count = (verdict: Verdict) => this.rows.filter((row) => row.verdict === verdict).length;
    const sum = (field: 'lost' | 'poisoned' | 'torn') => this.rows.reduce((total, row) => total + row[field], 0);
    const failed = count('FAIL');
    lines.push('');
    lines.push(`rows: ${this.rows.length} · pass: ${count('PASS')} · fail: ${failed} · unavailable: ${count('UNAVAILABLE')} · ${(totalMs / 1000).toFixed(1)} s`);
    lines.push(`lost invalidations: ${sum('lost')} · poisoned entries: ${sum('poisoned')} · torn entries: ${sum('torn')}`);
    const ok = failed === 0 && sum('lost') === 0 && sum('poisoned') === 0 && sum('torn') === 0;
    lines.push(ok ? 'fault suite: PASS' : 'fault suite: FAIL');
    process.stdout.write(`${lines.join('\n')}\n`);
    return ok;
  }
}
