#!/usr/bin/env node
// The `cairn` command. Runs the built dist/main.js when there is one (after `npm run build`, and
// in the image); otherwise the TypeScript sources through tsx, with the workspaces' "source"
// export condition, so `npx cairn` works in a fresh clone right after `npm ci`.
// CAIRN_CLI_FROM_SOURCE=1 runs the sources even when dist/ exists (the CLI's own tests do).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';
import process from 'node:process';

const built = new URL('../dist/main.js', import.meta.url);
const source = new URL('../src/main.ts', import.meta.url);

if (existsSync(fileURLToPath(built)) && process.env.CAIRN_CLI_FROM_SOURCE !== '1') {
  await import(built.href);
} else {
  // Node fixes its resolution conditions at startup, so the sources run in a child process.
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write('cairn: not built and tsx is not installed: run `npm ci` (for tsx) or `npm run build`\n');
    process.exit(1);
  }
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, fileURLToPath(source), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: process.env,
  });
  // A terminal's Ctrl-C reaches the whole process group, the child included: this one waits
  // for the child's answer. Signals sent to this process alone are passed on.
  const forward = (signal) => {
    if (signal !== 'SIGINT') child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const name of signals) process.off(name, forward);
    process.kill(process.pid, signal);
  });
}
