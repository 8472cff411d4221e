/**
 * What build a process runs: Cairn's version (the root package.json's, read once at load)
 * and the `cairn_build_info` gauge every service's /metrics carries, so a dashboard can tell
 * which version each instance runs.
 */
import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

/** From src/ and from dist/ alike, the repository root (or the image's /app) is three levels up. */
function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    // A copy of the service without its root manifest still runs; it says it does not know.
    return 'unknown';
  }
}

export const cairnVersion: string = readVersion();

/** Registers `cairn_build_info{service,version,node} 1` in the registry (once per registry). */
export function registerBuildInfo(registry: Registry, service: string): void {
  if (registry.getSingleMetric('cairn_build_info') !== undefined) return;
  const gauge = new Gauge({ name: 'cairn_build_info', help: 'Always 1: the service, Cairn version and Node.js version this process runs.', labelNames: ['service', 'version', 'node'], registers: [registry] });
  gauge.set({ service, version: cairnVersion, node: process.version }, 1);
}
