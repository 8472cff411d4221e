import type { Scenario } from './context.js';
export async function faultRows(_s: Scenario): Promise<void> {}
export async function startIdleProbe(_s: Scenario): Promise<() => Promise<void>> { return async () => undefined; }
