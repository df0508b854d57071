import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Writes need the token: `Authorization: Bearer <token>`, or HTTP basic with the token as
 * the password (any user name) — what ccache and Bazel send for `http://user:token@host/`.
 */
export function authorized(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^(Bearer|Basic)\s+(\S+)$/i.exec(h.trim());
  if (!m) return false;
  let given = m[2]!;
  if (m[1]!.toLowerCase() === 'basic') {
    const decoded = Buffer.from(given, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    given = colon < 0 ? decoded : decoded.slice(colon + 1);
  }
  return same(given, token);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
