import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Deps } from '../deps.js'
import { ApiError, type FieldIssue } from '../errors.js'
import type { createAuthFailureLimiter } from '../http/auth-failures.js'
import { HTTP_STATUS } from '../http/status.js'
import { loginRoutes } from './login.js'
import { inboundPages } from './pages/inbound.js'
import { mailboxPages } from './pages/mailboxes.js'
import { messagePages } from './pages/messages.js'
import { overviewPage } from './pages/overview.js'
import { suppressionPages } from './pages/suppressions.js'
import { webhookPages } from './pages/webhooks.js'
import { render } from './render.js'
import { requireSession, securityHeaders, type OpsEnv } from './security.js'

/**
 * The dashboard at `/ops` (docs/ops.md): server-rendered pages over the same lib/ functions the API uses, signed in
 * with a `read` or `admin` key. Every response carries a strict CSP; every POST must come from this origin (Origin /
 * Sec-Fetch-Site, hono/csrf) and carry the session's CSRF token. Errors render as pages with the code's status.
 */
export function opsApp(deps: Deps, authFailures: ReturnType<typeof createAuthFailureLimiter>) {
  const app = new Hono<OpsEnv>()
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v)
      return render(c, 'Refused', undefined, <ErrorBody code={err.code} message={err.message} issues={err.issues} />, HTTP_STATUS[err.code])
    }
    if (err instanceof HTTPException && err.status < 500) {
      return render(
        c,
        'Refused',
        undefined,
        <ErrorBody code="csrf_failed" message="this form was not sent from this dashboard" />,
        err.status as ContentfulStatusCode,
      )
    }
    deps.logger.error({ err, path: c.req.path }, 'unhandled error')
    return render(c, 'Error', undefined, <ErrorBody code="internal_error" message="internal error; try again" />, 500)
  })
  app.use('*', securityHeaders)
  app.use('*', csrf())
  app.route('/', loginRoutes(deps, authFailures))
  app.use('*', requireSession(deps))
  app.get('/', (c) => overviewPage(deps, c))
  app.route('/messages', messagePages(deps))
  app.route('/inbound', inboundPages(deps))
  app.route('/webhooks', webhookPages(deps))
  app.route('/mailboxes', mailboxPages(deps))
  app.route('/suppressions', suppressionPages(deps))
  app.notFound((c) => render(c, 'Not found', undefined, <ErrorBody code="not_found" message={`no page at ${c.req.path}`} />, 404))
  return app
}

const ErrorBody = (p: { code: string; message: string; issues?: FieldIssue[] }) => (
  <>
    <p class="flash err" role="alert">
      <code>{p.code}</code>: {p.message}
    </p>
    {p.issues && p.issues.length > 0 && (
      <ul id="issues">
        {p.issues.map((i) => (
          <li>
            <code>{i.path.join('.')}</code>: {i.message}
          </li>
        ))}
      </ul>
    )}
  </>
)
