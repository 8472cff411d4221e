/**
 * The `USERS_FILE` (README, Access control): `{"users": [{"username", "passwordHash", "roles"}]}`.
 * Read and validated whole; a bad entry stops startup with one line naming the user and field.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parsePasswordHash, passwordHashProblem, type PasswordHash } from './password-hash.js';
import { makePrincipal, roleSchema, type Principal } from './roles.js';

const userSchema = z.object({
  username: z.string().min(1, 'expected a non-empty username').refine((u) => !u.includes(':'), 'expected a username without ":" (RFC 7617 §2)'),
  passwordHash: z.string().superRefine((text, ctx) => {
    const problem = passwordHashProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  roles: z.array(roleSchema, { error: 'expected an array of cache_user, cache_admin, super_user' }).min(1, 'expected at least one role'),
});

export const usersFileSchema = z.object({ users: z.array(z.unknown(), { error: 'expected an array' }) });

export interface UserRecord {
  hash: PasswordHash;
  principal: Principal;
}

/** Users by name, as the file lists them. */
export type UsersDirectory = ReadonlyMap<string, UserRecord>;

/** Reads and validates the file; every problem is a ConfigError whose message is the one line to print. */
export function loadUsersFile(path: string): UsersDirectory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('environment', 'USERS_FILE', `cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseUsers(path, text);
}

export function parseUsers(path: string, text: string): UsersDirectory {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(path, '', 'expected JSON');
  }
  const file = usersFileSchema.safeParse(json);
  if (!file.success) throw new ConfigError(path, 'users', 'expected {"users": [...]}');
  const users = new Map<string, UserRecord>();
  file.data.users.forEach((entry, index) => {
    const name = typeof (entry as { username?: unknown })?.username === 'string' ? (entry as { username: string }).username : undefined;
    const where = name === undefined ? `users[${index}]` : `users[${index}] (${JSON.stringify(name)})`;
    const user = userSchema.safeParse(entry);
    if (!user.success) {
      const issue = user.error.issues[0]!;
      throw new ConfigError(path, `${where}.${issue.path.join('.') || 'entry'}`, issue.message);
    }
    if (users.has(user.data.username)) throw new ConfigError(path, `${where}.username`, 'expected each username once');
    users.set(user.data.username, { hash: parsePasswordHash(user.data.passwordHash), principal: makePrincipal(user.data.username, user.data.roles) });
  });
  return users;
}
