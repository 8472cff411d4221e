/** Every probe, in table order. */
import type { Probe } from '../probe.js';
import { expiresAgeProbes } from './expires-age.js';
import { freshnessProbes } from './freshness.js';
import { intermediaryProbes } from './intermediary.js';
import { staleProbes } from './stale.js';
import { storageProbes } from './storage.js';
import { validationProbes } from './validation.js';
import { varyRangeProbes } from './vary-range.js';

export const allProbes: Probe[] = [
  ...freshnessProbes,
  ...expiresAgeProbes,
  ...storageProbes,
  ...staleProbes,
  ...validationProbes,
  ...varyRangeProbes,
  ...intermediaryProbes,
];
