import type { Scenario } from './context.js';
export async function poisonMessageRows(_s: Scenario): Promise<void> {}
export async function churnRows(_s: Scenario): Promise<void> {}
