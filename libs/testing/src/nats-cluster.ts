/**
 * A real JetStream cluster of `nats-server` processes for failover tests: loopback only,
 * random ports, one temp store dir per node. Nodes are killed and started again by PID;
 * this module does not simulate partitions or slow links.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeFixedPorts } from './free-port.js';
import { launch, terminate, type Running } from './nats-process.js';
import { NATS_INSTALL_HINT, natsServerAvailable } from './nats-server.js';
import { tempDir, type TempDir } from './temp-dir.js';

export interface ClusterNode {
  /** The node's `server_name`, as JetStream reports it in `cluster.leader`. */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** -1 while the node is down. */
  readonly pid: number;
  /** Kills the node with SIGKILL, as a crash would: no leadership hand-over. */
  kill(): Promise<void>;
  /** Starts a killed node again on the same ports and store directory. */
  start(): Promise<void>;
}

export interface NatsCluster extends AsyncDisposable {
  urls: string[];
  /** Every node's URL, comma-separated (the services' NATS_URL form). */
  url: string;
  servers: ClusterNode[];
  /** The node named `name` (as in `cluster.leader`). */
  server(name: string): ClusterNode;
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  size?: number;
}

const CLUSTER_NAME = 'cairn-test';
const META_LEADER_TIMEOUT_MS = 20_000;


function nodeConfig(name: string, clusterPort: number, clusterPorts: number[]): string {
  const routes = clusterPorts.map((p) => `"nats://127.0.0.1:${p}"`).join(', ');
  // Each node lists every route, its own included (recognised and skipped): with all three
  // known from the start, the meta group expects three peers instead of growing from two.
  return `server_name: "${name}"\ncluster {\n  name: "${CLUSTER_NAME}"\n  listen: "127.0.0.1:${clusterPort}"\n  routes: [${routes}]\n}\n`;
}

interface MetaCluster {
  meta_cluster?: { leader?: string; cluster_size?: number; replicas?: Array<{ name: string; current: boolean }> };
}

/** True once some node sees a meta leader with every other node a current follower. */
async function metaGroupReady(monitoringPorts: number[], size: number): Promise<boolean> {
  for (const port of monitoringPorts) {
    let jsz: MetaCluster;
    try {
      jsz = (await (await fetch(`http://127.0.0.1:${port}/jsz`)).json()) as MetaCluster;
    } catch {
      // A node still starting (or just killed) does not answer: ask the next one.
      continue;
    }
    const meta = jsz.meta_cluster;
    if (meta?.leader && meta.replicas?.length === size - 1 && meta.replicas.every((r) => r.current)) return true;
  }
  return false;
}

export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  if (!natsServerAvailable()) throw new Error(NATS_INSTALL_HINT);
  const size = options.size ?? 3;
  const dirs: TempDir[] = [];
  const running: Array<Running | undefined> = [];
  const stopAll = async () => {
    await Promise.all(running.map((r) => (r === undefined ? undefined : terminate(r.child))));
    await Promise.all(dirs.map((d) => d.remove()));
  };
  try {
    const work = await tempDir('cairn-nats-cluster-');
    dirs.push(work);
    // Route ports must be known before any node starts (each lists all the others), and no
    // node's random client or monitoring port may take one before its node binds it.
    const clusterPorts = await freeFixedPorts(size);
    const nodes = [];
    // One after another, so a node that fails to start leaves nothing half-launched behind.
    for (const [i, clusterPort] of clusterPorts.entries()) {
      const name = `n${i + 1}`;
      const store = await tempDir(`cairn-nats-${name}-`);
      dirs.push(store);
      const configFile = join(work.path, `${name}.conf`);
      await writeFile(configFile, nodeConfig(name, clusterPort, clusterPorts));
      const first = await launch(store.path, work.path, -1, { configFile, env: {} });
      running[i] = first;
      nodes.push({ name, store: store.path, configFile, port: first.port, monitoringPort: first.monitoringPort });
    }
    const deadline = Date.now() + META_LEADER_TIMEOUT_MS;
    while (!(await metaGroupReady(nodes.map((n) => n.monitoringPort), size))) {
      if (Date.now() > deadline) throw new Error(`the JetStream meta group elected no leader within ${META_LEADER_TIMEOUT_MS} ms`);
      await sleep(50);
    }
    const servers: ClusterNode[] = nodes.map((node, i) => ({
      name: node.name,
      url: `nats://127.0.0.1:${node.port}`,
      port: node.port,
      get pid() {
        return running[i]?.child.pid ?? -1;
      },
      async kill() {
        const child = running[i]?.child;
        running[i] = undefined;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      },
      async start() {
        if (running[i] !== undefined) throw new Error(`cluster node ${node.name} is already running`);
        running[i] = await launch(node.store, work.path, node.port, { configFile: node.configFile, env: {} });
      },
    }));
    const urls = servers.map((s) => s.url);
    const cluster: NatsCluster = {
      urls,
      url: urls.join(','),
      servers,
      server(name) {
        const found = servers.find((s) => s.name === name);
        if (found === undefined) throw new Error(`no cluster node named ${name}`);
        return found;
      },
      stop: stopAll,
      [Symbol.asyncDispose]: stopAll,
    };
    return cluster;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
