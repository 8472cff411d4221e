/** Free loopback ports for processes that must be told their port before they start. */
import { createServer, type Server } from 'node:net';

function listening(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * `count` distinct ports, bound together and then released: distinct because they were held
 * at once; free until someone else takes one in the moment before the caller binds it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listening));
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('a loopback listener without a port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0] as number;
}

/** Below Linux's default ephemeral range (32768–60999), from which `listen(0)` and `-p -1` draw. */
const FIXED_LOW = 20_000;
const FIXED_HIGH = 32_000;

/**
 * `count` distinct free ports below the ephemeral range, for ports written into a config
 * before their processes start (a cluster's routes). A port from `freePorts` is released
 * before its process binds it, and a process started meanwhile with a random port may be
 * given that very one (a test cluster's node took its monitoring port from a sibling's
 * route port); the OS hands out no port from this range at random.
 */
export async function freeFixedPorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > 1000) throw new Error(`no ${count} free ports between ${FIXED_LOW} and ${FIXED_HIGH}`);
    const port = FIXED_LOW + Math.floor(Math.random() * (FIXED_HIGH - FIXED_LOW));
    if (ports.includes(port)) continue;
    const server = await listening(port).catch(() => undefined);
    if (server === undefined) continue;
    held.push(server);
    ports.push(port);
  }
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
