import { randomBytes } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { Logger } from 'pino'
import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { ApiError } from '../errors.js'
import { csrfMatches, csrfToken, decodeSession, SESSION_COOKIE, sessionKey, sessionSecret, type Session } from './session.js'

/** Hono context variables of /ops: the response's CSP nonce, and once signed in, the key, session and CSRF token. */
export type OpsEnv = {
  Variables: { nonce: string; apiKey: ApiKeyConfig; session: Session; csrf: string; logger: Logger }
}

/**
 * The CSP of every dashboard page: nothing loads but the page's own nonce'd stylesheet, `data:` images and frames
 * of this origin (the sandboxed HTML body of an inbound message); forms post only here; never framed.
 */
export const pageCsp = (nonce: string) =>
  `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`

/**
 * The CSP of an inbound message's HTML body, served alone into a sandboxed frame: no script (`sandbox` without
 * `allow-scripts`), no request anywhere (`default-src 'none'`, images only `data:`), framed only by the dashboard.
 */
export const mailHtmlCsp = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

/**
 * Sets a fresh nonce, then the security headers on whatever the route answered: the page CSP unless the route set
 * its own, `X-Frame-Options: DENY` unless it set one, no referrer, no sniffing, no caching.
 */
export const securityHeaders: MiddlewareHandler<OpsEnv> = async (c, next) => {
  const nonce = randomBytes(16).toString('base64')
  c.set('nonce', nonce)
  await next()
  const h = c.res.headers
  if (!h.has('content-security-policy')) h.set('content-security-policy', pageCsp(nonce))
  if (!h.has('x-frame-options')) h.set('x-frame-options', 'DENY')
  h.set('referrer-policy', 'no-referrer')
  h.set('x-content-type-options', 'nosniff')
  h.set('cache-control', 'no-store')
}

/**
 * Requires a signed-in session whose key still holds `read`: otherwise a GET is sent to the sign-in page and a POST
 * refused. A POST must also carry the session's CSRF token as the form field `_csrf`.
 * @throws ApiError missing_api_key (401) on a POST without a session; csrf_failed (403) on a bad token.
 */
export function requireSession(deps: Deps): MiddlewareHandler<OpsEnv> {
  return async (c, next) => {
    const secret = await sessionSecret(deps)
    const session = decodeSession(secret, getCookie(c, SESSION_COOKIE))
    const key = session && sessionKey(deps.config.apiKeys, session, deps.clock.now())
    if (!session || !key) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        const url = new URL(c.req.url)
        return c.redirect(`/ops/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303)
      }
      throw new ApiError('missing_api_key', 'sign in at /ops/login first')
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody()
      if (!csrfMatches(secret, session, form._csrf)) throw new ApiError('csrf_failed', 'the form is stale or was not sent from this dashboard; reload it')
    }
    c.set('session', session)
    c.set('apiKey', key)
    c.set('csrf', csrfToken(secret, session))
    await next()
  }
}
