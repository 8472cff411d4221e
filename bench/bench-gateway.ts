/** Gateway configuration for benchmarks: loopback, random ports, one origin, data under `dir`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGatewayConfig, type GatewayConfig } from '@cairn/gateway';

/** Writes the bench cache configuration once; returns a config maker (one data dir per name). */
export function benchGatewayConfig(natsUrl: string, originUrl: string, dir: string): (dataName: string) => GatewayConfig {
  writeFileSync(join(dir, 'cacheConfiguration.bench.json'), JSON.stringify({ defaultOrigin: originUrl, defaultCacheKey: {} }));
  return (dataName) =>
    loadGatewayConfig({
      NATS_URL: natsUrl,
      AUTH_REQUIRED: 'false',
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_PORT: '0',
      ENVIRONMENT: 'bench',
      CONFIG_DIR: dir,
      DATA_DIR: join(dir, dataName),
    });
}
