import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseUsers } from './users-file.js';

const hash = `scrypt:1024:8:1:${Buffer.alloc(16, 1).toString('base64')}:${Buffer.alloc(64, 2).toString('base64')}`;
const file = (users: unknown[]) => JSON.stringify({ users });

describe('users file', () => {
  it('reads users with their roles', () => {
    const users = parseUsers('users.json', file([{ username: 'ops', passwordHash: hash, roles: ['cache_admin'] }, { username: 'v', passwordHash: hash, roles: ['cache_user'] }]));
    expect(users.get('ops')?.principal).toEqual({ username: 'ops', roles: ['cache_admin'], admin: true });
    expect(users.get('v')?.principal.admin).toBe(false);
  });

  it.each([
    ['not json', 'users.json: expected JSON'],
    [JSON.stringify({ people: [] }), 'users.json: users: expected {"users": [...]}'],
    [file([{ username: 'bob', passwordHash: hash, roles: ['root'] }]), 'users.json: users[0] ("bob").roles.0:'],
    [file([{ username: 'bob', passwordHash: 'plain', roles: ['cache_user'] }]), 'users.json: users[0] ("bob").passwordHash: expected scrypt:'],
    [file([{ username: 'bob', passwordHash: hash, roles: [] }]), 'users.json: users[0] ("bob").roles: expected at least one role'],
    [file([{ passwordHash: hash, roles: ['cache_user'] }]), 'users.json: users[0].username:'],
    [file([{ username: 'a:b', passwordHash: hash, roles: ['cache_user'] }]), 'users.json: users[0] ("a:b").username: expected a username without ":"'],
    [file([{ username: 'bob', passwordHash: hash, roles: ['cache_user'] }, { username: 'bob', passwordHash: hash, roles: ['cache_user'] }]), 'users[1] ("bob").username: expected each username once'],
  ])('stops on %s with one line naming the user and field', (text, message) => {
    expect(() => parseUsers('users.json', text)).toThrow(ConfigError);
    expect(() => parseUsers('users.json', text)).toThrow(message);
  });
});
