/**
 * `npm run bench:hit-fields`: ns per hit to produce the hit's flat
 * field list: flow/hit-fields.ts's one reused scratch list against a list kept per entry
 * in a WeakMap (written out below as the alternative), for a store that hands out the same entry object
 * per hit (an in-memory tier) and one that decodes a new entry per read (LMDB alone: the
 * decode is simulated by a fresh object, in every case, so both pay the same garbage).
 * Interleaved rounds in one process; the fastest round of each is reported (the least
 * disturbed on a shared machine), with ratios. Every loop is bounded.
 */
import { headers as cairnHeaders } from '@cairn/shared';
import { hitFields } from '../services/gateway/src/flow/hit-fields.js';
import type { CacheOutcome } from '../services/gateway/src/flow/outcome.js';
import type { FieldValue } from '../services/gateway/src/flow/reply.js';
import { formatCacheStatus } from '../services/gateway/src/http/cache-status.js';
import type { CacheEntry, EntryMeta } from '../services/gateway/src/store/cache-entry.js';

/** The alternative: one list per entry, built on its first hit, whose last six values are slots. */
interface EntryHead {
  readonly fields: FieldValue[];
  ageSeconds: number;
  detail: string;
  ttl: number | undefined;
}
const heads = new WeakMap<CacheEntry, EntryHead>();
const SET_PER_HIT = new Set(['age', cairnHeaders.cache, 'cache-status', 'accept-ranges', 'content-length']);

function perEntryFields(entry: CacheEntry, outcome: CacheOutcome, detail: string, ageSeconds: number, ttlSeconds: number | undefined): readonly FieldValue[] {
  let head = heads.get(entry);
  if (head === undefined) {
    const fields: FieldValue[] = [];
    const stored = entry.meta.headers;
    for (const name in stored) if (!SET_PER_HIT.has(name)) fields.push(name, stored[name] as FieldValue);
    if (stored['content-type'] === undefined) fields.push('content-type', 'application/octet-stream');
    if (entry.meta.status === 200) fields.push('accept-ranges', 'bytes');
    fields.push('content-length', String(entry.body.length), 'age', '', cairnHeaders.cache, '', 'cache-status', '');
    heads.set(entry, (head = { fields, ageSeconds: -1, detail: '', ttl: undefined }));
  }
  const fields = head.fields;
  const at = fields.length - 5;
  if (head.ageSeconds !== ageSeconds) fields[at] = String((head.ageSeconds = ageSeconds));
  fields[at + 2] = outcome;
  if (head.detail !== detail || head.ttl !== ttlSeconds || fields[at + 4] === '') {
    head.detail = detail;
    head.ttl = ttlSeconds;
    fields[at + 4] = formatCacheStatus({ hit: true, ttlSeconds, detail });
  }
  return fields;
}

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const body = Buffer.alloc(1024, 'a');
const storedHeaders = {
  'content-type': 'application/octet-stream',
  'cache-control': 'public, max-age=3600',
  date: 'Wed, 02 Dec 2026 01:00:00 GMT',
  etag: '"cairn-1a2b3c"',
  'last-modified': 'Wed, 02 Dec 2026 01:00:00 GMT',
  vary: 'accept-encoding',
};
const meta = { status: 200, headers: storedHeaders, storedAt: 0, expiresAt: 0 } as unknown as EntryMeta;

function decoded(): CacheEntry {
  // As decodeEntry: a new meta with a new headers object per read.
  return { meta: { ...meta, headers: { ...storedHeaders } }, body };
}

type Fields = typeof hitFields;
let sink = 0;

function run(fields: Fields, sameEntry: boolean): number {
  const shared = decoded();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const fresh = decoded();
    const list = fields(sameEntry ? shared : fresh, 'HIT', 'fresh', i >> 16, 3600 - (i >> 16));
    sink += list.length;
  }
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
}

const variants: Array<{ name: string; fields: Fields; same: boolean }> = [
  { name: 'per-entry list, same entry per hit', fields: perEntryFields, same: true },
  { name: 'scratch list, same entry per hit', fields: hitFields, same: true },
  { name: 'per-entry list, new entry per hit', fields: perEntryFields, same: false },
  { name: 'scratch list, new entry per hit', fields: hitFields, same: false },
];
const best = variants.map(() => Infinity);
for (let round = 0; round < ROUNDS; round++) variants.forEach((variant, i) => (best[i] = Math.min(best[i] as number, run(variant.fields, variant.same))));
for (const [i, variant] of variants.entries()) process.stdout.write(`${variant.name}: ${(best[i] as number).toFixed(0)} ns/hit\n`);
process.stdout.write(`same entry: per-entry / scratch = ${((best[0] as number) / (best[1] as number)).toFixed(2)}; new entry: per-entry / scratch = ${((best[2] as number) / (best[3] as number)).toFixed(2)} (sink ${sink % 10})\n`);
