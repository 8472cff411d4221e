/**
 * The demo origin of `npm start` and of the compose file: answers every path with a small
 * HTML page that shows when and how often the origin rendered it, so a HIT is visible as an
 * unchanged timestamp and request number. `/health` answers without counting as a render,
 * so health probes never move the counter.
 */
import { createServer, type Server } from 'node:http';

export interface DemoOriginOptions {
  port: number;
  /** Default 127.0.0.1 (the dev launcher); a container listens on 0.0.0.0. */
  host?: string;
}

export function startDemoOrigin(options: DemoOriginOptions): Promise<Server> {
  let served = 0;
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end('ok\n');
      return;
    }
    served++;
    const renderedAt = new Date().toISOString();
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'x-origin-cache-tags': 'demo',
      'x-demo-origin-requests': String(served),
    });
    res.end(`<!doctype html><title>Cairn demo origin</title><p>Rendered by the demo origin for ${req.url ?? '/'} at ${renderedAt} (origin request #${served}).</p>\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
  });
}
