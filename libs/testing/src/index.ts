/** @cairn/testing: real components for tests (nats-server, a nats-server cluster, HTTP origin, temp dirs, polling). */
export * from './nats-server.js';
export * from './nats-permissions.js';
export * from './origin-server.js';
export * from './temp-dir.js';
export * from './eventually.js';
export * from './seeded-random.js';
export * from './nats-cluster.js';
export * from './debian-packages.js';
export * from './free-port.js';
export * from './process-alive.js';
