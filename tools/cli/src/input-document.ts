/**
 * The JSON documents commands read: a file named by `-f`, or stdin for `-f -`. A file that
 * cannot be read or is not JSON is a usage error naming it; nothing is sent.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

export async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function readInputText(path: string, stdin: NodeJS.ReadableStream): Promise<string> {
  if (path === '-') return (await readStdin(stdin)).toString('utf8');
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export async function readJsonDocument(path: string, stdin: NodeJS.ReadableStream): Promise<unknown> {
  const text = await readInputText(path, stdin);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path === '-' ? 'stdin' : path}: not valid JSON: ${(err as Error).message}`);
  }
}
