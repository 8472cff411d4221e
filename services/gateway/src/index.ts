/** @cairn/gateway: the caching gateway, startable in-process (tests) or by main.ts. */
export { cacheConfigurationSchema, gatewayEnvSchema, loadGatewayConfig, type CacheConfiguration, type GatewayConfig } from './config.js';
export { startGateway, type Gateway } from './gateway.js';
