/**
 * The images the compose file and the Dockerfile name, made available on a machine that
 * reaches no image registry: an image already present is used as it is; a missing one is
 * replaced by a local stand-in under the exact same name, built from a Debian bookworm root
 * filesystem (debootstrap minbase) and this machine's own binaries (stand-ins/*). The real
 * files keep naming the real images; only this test substitutes them, and says so.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, run, succeeds } from './shell.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const standIns = fileURLToPath(new URL('stand-ins', import.meta.url));
const BASE_IMAGE = 'cairn-stand-in/debian:bookworm-minbase';
const STAND_IN_LABEL = 'org.cairn.stand-in';

/** The base image of the Dockerfile and the NATS images of the compose file, as they name them. */
export function namedImages(): { node: string; nats: string; natsBox: string } {
  const froms = [...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] ?? '');
  const node = froms.find((image) => image.startsWith('node:'));
  const images = [...readFileSync(join(root, 'docker-compose.yml'), 'utf8').matchAll(/^\s+image:\s*(\S+)/gm)].map((m) => m[1] ?? '');
  const nats = images.find((image) => /^nats(:|$)/.test(image));
  const natsBox = images.find((image) => /^natsio\/nats-box(:|$)/.test(image));
  if (node === undefined || nats === undefined || natsBox === undefined) {
    throw new Error(`expected a node base image in the Dockerfile and nats and natsio/nats-box images in docker-compose.yml, found ${JSON.stringify({ node, nats, natsBox })}`);
  }
  return { node, nats, natsBox };
}

async function imageLabel(image: string): Promise<string | undefined> {
  const result = await run('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${STAND_IN_LABEL}" }}`, image]);
  if (result.code !== 0) return undefined;
  return result.stdout.trim();
}

async function baseImage(log: (line: string) => void): Promise<void> {
  if (await succeeds('docker', ['image', 'inspect', BASE_IMAGE])) return;
  const rootfs = mkdtempSync(join(tmpdir(), 'cairn-rootfs-'));
  try {
    const started = Date.now();
    log(`debootstrap --variant=minbase bookworm (the stand-ins' root filesystem)…`);
    await must('debootstrap', ['--variant=minbase', 'bookworm', rootfs], { timeoutMs: 900_000 });
    await must('sh', ['-c', `tar -C '${rootfs}' -c . | docker import --change 'LABEL ${STAND_IN_LABEL}=debian' - '${BASE_IMAGE}'`], { timeoutMs: 300_000 });
    log(`${BASE_IMAGE} imported in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

async function build(image: string, kind: 'node' | 'nats' | 'nats-box', base: string, fill: (context: string) => Promise<void>): Promise<void> {
  const context = mkdtempSync(join(tmpdir(), `cairn-stand-in-${kind}-`));
  try {
    cpSync(join(standIns, kind), context, { recursive: true });
    await fill(context);
    await must('docker', ['build', '--network', 'host', '--build-arg', `BASE=${base}`, '-t', image, context], { timeoutMs: 900_000 });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

async function nodeBinary(): Promise<string> {
  return (await must('sh', ['-c', 'readlink -f "$(command -v node)"'])).trim();
}

/** Makes every named image available; returns what was substituted, for the test's output. */
export async function provideImages(log: (line: string) => void): Promise<string[]> {
  const images = namedImages();
  const substituted: string[] = [];
  const missing = async (image: string) => {
    const label = await imageLabel(image);
    if (label === undefined || label !== '') return true; // absent, or an earlier run's stand-in: (re)build it
    log(`${image}: the real image is present, used as it is`);
    return false;
  };
  const needNode = await missing(images.node);
  const needNats = await missing(images.nats);
  const needBox = await missing(images.natsBox);
  if (needNode || needNats || needBox) await baseImage(log);
  if (needNode) {
    const node = await nodeBinary();
    await build(images.node, 'node', BASE_IMAGE, async (context) => {
      copyFileSync(node, join(context, 'node'));
      const npm = (await must('sh', ['-c', 'readlink -f "$(dirname "$(readlink -f "$(command -v npm)")")/.."'])).trim();
      cpSync(npm, join(context, 'npm'), { recursive: true });
      copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(context, 'ca-certificates.crt'));
    });
    substituted.push(`${images.node} ← stand-in: Debian bookworm minbase + this machine's Node.js ${process.version} and npm`);
  }
  if (needNats) {
    const natsServer = (await must('sh', ['-c', 'readlink -f "$(command -v nats-server)"'])).trim();
    const version = (await must(natsServer, ['--version'])).trim();
    await build(images.nats, 'nats', BASE_IMAGE, async (context) => copyFileSync(natsServer, join(context, 'nats-server')));
    substituted.push(`${images.nats} ← stand-in: Debian bookworm minbase + this machine's ${version} (Debian's package)`);
  }
  if (needBox) {
    await build(images.natsBox, 'nats-box', images.node, async (context) => {
      // Cairn's own publish script, bundled with its dependencies into one file.
      await must(join(root, 'node_modules', '.bin', 'esbuild'), [
        join(root, 'scripts', 'nats-pub.ts'),
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--target=node20',
        '--conditions=source',
        '--log-level=warning',
        // Named apart: a bundled module may import createRequire itself (msgpackr does).
        "--banner:js=import { createRequire as bannerCreateRequire } from 'node:module'; const require = bannerCreateRequire(import.meta.url);",
        `--outfile=${join(context, 'nats-pub.mjs')}`,
      ]);
    });
    substituted.push(`${images.natsBox} ← stand-in: ${images.node} + a \`nats pub\` made of Cairn's scripts/nats-pub.ts`);
  }
  return substituted;
}
