import type { MiddlewareHandler } from 'hono';
import { forbidden, unauthorized } from '../platform/errors.js';
import type { AppEnv } from '../platform/http.js';
import type { StaffAuthenticator, StaffRole } from './principal.js';

/** Staff routes: 401 without valid credentials, 403 without the role; sets `c.var.staff`. */
export function requireStaff(authenticate: StaffAuthenticator, role?: StaffRole): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const staff = await authenticate(c.req.raw);
    if (!staff) throw unauthorized('请先登录');
    if (role === 'admin' && staff.role !== 'admin') throw forbidden('需要管理员权限');
    c.set('staff', staff);
    await next();
  };
}
