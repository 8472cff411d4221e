/**
 * Installs the Debian packages that provide missing commands, for scripts that bring their
 * own tools (the compose test, the nginx/Varnish benchmark): `apt-get` as root, or through
 * sudo. Debian puts several of these in /usr/sbin, which is added to PATH here.
 */
import { spawnSync } from 'node:child_process';

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** `tools` maps a command to the package that provides it; returns the packages installed. */
export function installMissingCommands(tools: Record<string, string>, log: (line: string) => void): string[] {
  if (!(process.env.PATH ?? '').split(':').includes('/usr/sbin')) process.env.PATH = `${process.env.PATH ?? ''}:/usr/sbin`;
  const missing = Object.keys(tools).filter((command) => !onPath(command));
  if (missing.length === 0) return [];
  const packages = [...new Set(missing.map((command) => tools[command] as string))];
  log(`installing ${packages.join(', ')} from Debian's packages (missing: ${missing.join(', ')})`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...packages]]) {
    const command = [...sudo, 'apt-get', ...args];
    const run = spawnSync(command[0] as string, command.slice(1), { env, encoding: 'utf8', timeout: 900_000 });
    if (run.status !== 0) throw new Error(`\`${command.join(' ')}\` failed (${run.status ?? run.signal}): ${`${run.stderr}${run.stdout}`.trim().split('\n').slice(-10).join('\n')}`);
  }
  return packages;
}
