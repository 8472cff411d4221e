/**
 * The dev launcher's demo origin: answers every path with a small HTML page that shows
 * when the origin rendered it, so a HIT is visible as an unchanged timestamp.
 */
import { createServer, type Server } from 'node:http';

export function startDemoOrigin(port: number): Promise<Server> {
  let served = 0;
  const server = createServer((req, res) => {
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
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
