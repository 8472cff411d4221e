/** Varnish with the builtin VCL: `-b` names the origin, malloc storage, a temp work dir. */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@cairn/testing';
import { executable, freePort, onCleanup, startTracked, versionLine, waitUntil } from '../processes.js';
import { answersThrough, type Started } from './target.js';

const VARNISHD = '/usr/sbin/varnishd';

export async function startVarnish(originPort: number): Promise<Started> {
  if (!executable(VARNISHD)) return { ok: false, reason: `${VARNISHD} not found` };
  const dir = await tempDir('cairn-conformance-varnish-');
  onCleanup(() => dir.remove());
  // varnishd drops to its own users when started as root: they must reach the work dir.
  await chmod(dir.path, 0o755);
  const port = await freePort();
  const proc = startTracked(VARNISHD, ['-F', '-n', join(dir.path, 'work'), '-a', `127.0.0.1:${port}`, '-b', `127.0.0.1:${originPort}`, '-s', 'malloc,64m']);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil('varnishd', answersThrough(url), 20_000, proc);
  } catch (err) {
    await proc.stop();
    return { ok: false, reason: (err as Error).message };
  }
  return { ok: true, target: { name: 'varnish', url, notes: [`${versionLine(VARNISHD, '-V')}, builtin VCL, -s malloc,64m`], forwardsRequestHeaders: true, pid: proc.child.pid ?? -1 } };
}
