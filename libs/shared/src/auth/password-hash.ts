/**
 * `scrypt:<N>:<r>:<p>:<base64 salt>:<base64 64-byte key>` password hashes (README, Access
 * control): parsed once when the users file loads, verified with the parameters they carry.
 * Does not know about users or roles.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface PasswordHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

export const KEY_BYTES = 64;
/** Bounds so a hostile users file cannot make one login take gigabytes or minutes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
/** Node's default cost (N=2^14, r=8, p=1): ~16 MiB and tens of ms per check. */
export const DEFAULT_COST = { N: 2 ** 14, r: 8, p: 1 } as const;

/** Why a hash string is not one; undefined when it parses. */
export function passwordHashProblem(text: string): string | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'expected scrypt:<N>:<r>:<p>:<base64 salt>:<base64 64-byte key>';
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const N = Number(n);
  if (!/^\d+$/.test(n) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) return `expected N a power of two from 2 to ${MAX_N}`;
  if (!/^\d+$/.test(r) || Number(r) < 1 || Number(r) > MAX_R) return `expected r from 1 to ${MAX_R}`;
  if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > MAX_P) return `expected p from 1 to ${MAX_P}`;
  if (!isBase64(salt) || Buffer.from(salt, 'base64').length < 8) return 'expected a base64 salt of at least 8 bytes';
  if (!isBase64(key) || Buffer.from(key, 'base64').length !== KEY_BYTES) return `expected a base64 key of ${KEY_BYTES} bytes`;
  return undefined;
}

function isBase64(text: string): boolean {
  return text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0;
}

/** Parses a hash whose `passwordHashProblem` is undefined. */
export function parsePasswordHash(text: string): PasswordHash {
  const problem = passwordHashProblem(text);
  if (problem !== undefined) throw new TypeError(problem);
  const [, n, r, p, salt, key] = text.split(':') as [string, string, string, string, string, string];
  return { N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; node refuses above `maxmem` (32 MiB by default).
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 128 * cost.N * cost.r * 2 + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** True when `password` derives the stored key; compared in constant time. */
export async function verifyPassword(password: string, hash: PasswordHash): Promise<boolean> {
  const derived = await derive(password, hash.salt, hash);
  return derived.length === hash.key.length && timingSafeEqual(derived, hash.key);
}

/** A hash for `password` with a fresh salt (tests, the dev launcher, operators making users files). */
export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt:${cost.N}:${cost.r}:${cost.p}:${salt.toString('base64')}:${key.toString('base64')}`;
}
