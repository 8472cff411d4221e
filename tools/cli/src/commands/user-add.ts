/**
 * `cairn user add <name> --role <role>…`: prints one USERS_FILE entry with an scrypt hash of a
 * password read from stdin or a hidden prompt. Writes no file: the entry goes into `users`.
 */
import { hashPassword, roleSchema, type Role } from '@cairn/shared';
import type { CairnCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { readPassword } from '../password-input.js';

const ROLES = roleSchema.options;

export function rolesOf(option: unknown): Role[] {
  const given = (Array.isArray(option) ? (option as string[]) : []).flatMap((value) => value.split(',')).map((role) => role.trim());
  if (given.length === 0) throw new UsageError(`user add: --role is required (${ROLES.join(', ')})`);
  for (const role of given) {
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`user add: --role expected one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
  }
  return [...new Set(given as Role[])];
}

export const userAdd: CairnCommand = {
  path: ['user', 'add'],
  summary: 'Print a USERS_FILE entry (scrypt hash) for a user; the password comes from stdin or a hidden prompt.',
  args: [{ name: 'name', required: true }],
  options: [{ name: 'role', type: 'string', multiple: true, placeholder: 'role', description: `${ROLES.join(', ')} (repeatable)` }],
  examples: ['cairn user add alice --role cache_admin', "printf '%s' \"$PASSWORD\" | cairn user add ci --role cache_user"],
  async run(input) {
    const username = input.args.name as string;
    if (username.includes(':')) throw new UsageError('user add: <name> cannot contain ":" (Basic credentials split on it)');
    const roles = rolesOf(input.options.role);
    const passwordHash = await hashPassword(await readPassword(input.stdin, process.stderr));
    const entry = { username, passwordHash, roles };
    return { data: entry, text: JSON.stringify(entry) };
  },
};
