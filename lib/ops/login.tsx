import { Hono } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { authenticate } from '../http/auth.js'
import { clientAddress, type createAuthFailureLimiter } from '../http/auth-failures.js'
import type { Deps } from '../deps.js'
import { ApiError } from '../errors.js'
import { hasScope } from '../scopes.js'
import { Page } from './layout.js'
import { requireSession, type OpsEnv } from './security.js'
import { encodeSession, newSession, SESSION_COOKIE, SESSION_TTL_MS, sessionSecret } from './session.js'

/** Where to go after signing in: a path under /ops from the form, else the overview (never another site). */
export const safeNext = (next: unknown) => (typeof next === 'string' && /^\/ops(?:[/?][^\\\s]*)?$/.test(next) && !next.startsWith('//') ? next : '/ops')

const LoginPage = (p: { nonce: string; next: string; error?: string }) => (
  <Page title="Sign in" nonce={p.nonce}>
    {p.error && (
      <p class="flash err" role="alert">
        {p.error}
      </p>
    )}
    <form method="post" action="/ops/login" class="filters">
      <input type="hidden" name="next" value={p.next} />
      <label>
        API key with the read or admin scope
        <input type="password" name="key" autocomplete="off" required size={40} />
      </label>
      <button type="submit">Sign in</button>
    </form>
    <p class="muted">The key is checked once; the browser keeps a signed session cookie for 12 hours, never the key.</p>
  </Page>
)

/**
 * `/ops/login` and `/ops/logout`. Sign-in takes a key (form field `key`) that holds `read` (lib/scopes.ts) and sets
 * the session cookie: `HttpOnly`, `SameSite=Strict`, `Path=/ops`, `Secure` over https. Failed sign-ins count
 * against the client address like failed API authentications (429 past the limit).
 */
export function loginRoutes(deps: Deps, authFailures: ReturnType<typeof createAuthFailureLimiter>) {
  const app = new Hono<OpsEnv>()
  app.get('/login', (c) => c.html(<LoginPage nonce={c.get('nonce')} next={safeNext(c.req.query('next'))} />))

  app.post('/login', async (c) => {
    const address = clientAddress(c)
    authFailures.check(address)
    const form = await c.req.parseBody()
    const next = safeNext(form.next)
    const fail = (error: string) => c.html(<LoginPage nonce={c.get('nonce')} next={next} error={error} />, 401)
    let key
    try {
      key = authenticate(`Bearer ${typeof form.key === 'string' ? form.key.trim() : ''}`, deps.config.apiKeys)
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      authFailures.failed(address)
      return fail('That key is not valid.')
    }
    if (!hasScope(key, 'read')) return fail(`The key ${key.id} has no read or admin scope: the dashboard needs one.`)
    const secret = await sessionSecret(deps)
    setCookie(c, SESSION_COOKIE, encodeSession(secret, newSession(key, deps.clock.now())), {
      path: '/ops',
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: SESSION_TTL_MS / 1000,
    })
    deps.logger.info({ apiKeyId: key.id }, 'ops sign-in')
    return c.redirect(next, 303)
  })

  app.post('/logout', requireSession(deps), (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/ops', secure: new URL(c.req.url).protocol === 'https:' })
    return c.redirect('/ops/login', 303)
  })
  return app
}
