/**
 * A Docker engine and a compose command for the compose test. Whatever the machine lacks is
 * installed from Debian's packages (docker.io, docker-compose, debootstrap, nats-server);
 * a dockerd that is not running is started here, and only a dockerd started here is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installMissingCommands } from '@cairn/testing';
import { must, succeeds } from './shell.js';

export interface DockerEngine {
  /** `docker compose` (v2) when the client has it, else `docker-compose` (1.29 from Debian). */
  compose: { command: string; prefix: string[] };
  /** Stops dockerd if this test started it; a no-op otherwise. */
  release(): Promise<void>;
}

const PACKAGES: Record<string, string> = {
  docker: 'docker.io',
  dockerd: 'docker.io',
  'docker-compose': 'docker-compose',
  debootstrap: 'debootstrap',
  'nats-server': 'nats-server',
};

function installMissing(log: (line: string) => void, tools: readonly string[]): void {
  installMissingCommands(Object.fromEntries(tools.map((tool) => [tool, PACKAGES[tool] ?? tool])), log);
}

async function engineAnswers(): Promise<boolean> {
  return succeeds('docker', ['info', '--format', '{{.ServerVersion}}']);
}

async function startDockerd(log: (line: string) => void): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-dockerd-'));
  const logFile = join(dir, 'dockerd.log');
  const out = openSync(logFile, 'a');
  log(`starting dockerd (log: ${logFile})`);
  const child = spawn('dockerd', [], { stdio: ['ignore', out, out], detached: true });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dockerd exited with ${child.exitCode} at start; see ${logFile}`);
    if (await engineAnswers()) return child;
    await sleep(500);
  }
  child.kill('SIGTERM');
  throw new Error(`dockerd did not answer within 60 s; see ${logFile}`);
}

export async function dockerEngine(log: (line: string) => void, options: { standIns: boolean }): Promise<DockerEngine> {
  installMissing(log, ['docker', 'dockerd', ...(options.standIns ? ['debootstrap', 'nats-server'] : [])]);
  let started: ChildProcess | undefined;
  if (!(await engineAnswers())) started = await startDockerd(log);
  const version = (await must('docker', ['info', '--format', '{{.ServerVersion}}'])).trim();
  let compose: DockerEngine['compose'];
  if (await succeeds('docker', ['compose', 'version'])) compose = { command: 'docker', prefix: ['compose'] };
  else {
    installMissing(log, ['docker-compose']);
    compose = { command: 'docker-compose', prefix: [] };
  }
  const composeVersion = (await must(compose.command, [...compose.prefix, 'version', '--short'])).trim();
  log(`Docker engine ${version}${started === undefined ? ' (already running)' : ' (started by this test)'}; compose: ${[compose.command, ...compose.prefix].join(' ')} ${composeVersion}`);
  return {
    compose,
    async release() {
      if (started === undefined || started.exitCode !== null) return;
      const exited = new Promise((resolve) => started?.once('exit', resolve));
      started.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
      if (started.exitCode === null) started.kill('SIGKILL');
      log('stopped the dockerd this test started');
    },
  };
}

