/** The roles a users file may grant and who may do what (README, Access control). */
import { z } from 'zod';

export const roleSchema = z.enum(['cache_user', 'cache_admin', 'super_user']);
export type Role = z.infer<typeof roleSchema>;

/** Who a request was authenticated as. `admin`: may write rules, invalidate, PURGE and see debug headers. */
export interface Principal {
  readonly username: string;
  readonly roles: readonly Role[];
  readonly admin: boolean;
}

export function makePrincipal(username: string, roles: readonly Role[]): Principal {
  return { username, roles, admin: roles.includes('cache_admin') || roles.includes('super_user') };
}

/** What a request needs: any role (reads, the proxy) or an admin role (writes, PURGE). */
export type Access = 'any-role' | 'admin';

export function allows(principal: Principal, access: Access): boolean {
  return access === 'admin' ? principal.admin : principal.roles.length > 0;
}
