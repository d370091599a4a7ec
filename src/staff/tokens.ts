import { randomBytes } from 'node:crypto';
import { Jwt } from 'hono/utils/jwt';

const ISSUER = 'govchat';

export interface TokenClaims {
  /** Staff id. */
  sub: string;
  /** Session id: the row in staff_sessions that logout, disable and reset revoke. */
  sid: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/**
 * HS256 tokens signed with GOVCHAT_SECRET, so every instance sharing the secret accepts them.
 * The signature only says the token was issued by govchat; whether its session is still live is
 * checked in the database on every request.
 */
export class TokenSigner {
  readonly generated: boolean;
  private readonly secret: string;

  constructor(
    secret?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.generated = !secret;
    this.secret = secret ?? randomBytes(32).toString('base64url');
  }

  async sign(claims: TokenClaims): Promise<string> {
    return Jwt.sign({ ...claims, iss: ISSUER }, this.secret, 'HS256');
  }

  /** The claims of a well-signed, unexpired token, or null. */
  async verify(token: string): Promise<TokenClaims | null> {
    if (token.length > 4096) return null;
    try {
      // Expiry is checked here against the service clock (injectable), not inside the library.
      const p = await Jwt.verify(token, this.secret, { alg: 'HS256', iss: ISSUER, exp: false });
      if (typeof p.sub !== 'string' || typeof p.sid !== 'string' || typeof p.exp !== 'number') return null;
      if (p.exp * 1000 <= this.now()) return null;
      return { sub: p.sub, sid: p.sid, exp: p.exp };
    } catch {
      return null;
    }
  }
}
