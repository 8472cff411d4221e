/**
 * nginx with proxy_cache as an operator typically writes it: no proxy_cache_valid (the
 * origin's headers decide), revalidation, stale on error/updating, background update and
 * the cache lock. Everything lives in a temp prefix directory.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@cairn/testing';
import { executable, freePort, onCleanup, startTracked, versionLine, waitUntil } from '../processes.js';
import { answersThrough, type Started } from './target.js';

const NGINX = '/usr/sbin/nginx';

function config(dir: string, port: number, originPort: number): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=conformance:10m max_size=64m inactive=10m use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${originPort};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache conformance;
      proxy_cache_revalidate on;
      proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
      proxy_cache_background_update on;
      proxy_cache_lock on;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
}

export async function startNginx(originPort: number): Promise<Started> {
  if (!executable(NGINX)) return { ok: false, reason: `${NGINX} not found` };
  const dir = await tempDir('cairn-conformance-nginx-');
  onCleanup(() => dir.remove());
  // Workers run as an unprivileged user when started as root: they must reach the cache dir.
  await chmod(dir.path, 0o755);
  const port = await freePort();
  await writeFile(join(dir.path, 'nginx.conf'), config(dir.path, port, originPort));
  const proc = startTracked(NGINX, ['-p', dir.path, '-c', 'nginx.conf', '-e', join(dir.path, 'error.log')]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil('nginx', answersThrough(url), 10_000, proc);
  } catch (err) {
    await proc.stop();
    return { ok: false, reason: (err as Error).message };
  }
  return { ok: true, target: { name: 'nginx', url, notes: [`${versionLine(NGINX, '-v')}, proxy_cache without proxy_cache_valid, revalidate on, use_stale error timeout updating http_5xx, background_update on, lock on`], forwardsRequestHeaders: true, pid: proc.child.pid ?? -1 } };
}
