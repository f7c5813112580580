import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Deps } from '../deps.js'
import type { AppEnv } from './app-env.js'
import { authenticate } from './auth.js'
import { clientAddress, createAuthFailureLimiter } from './auth-failures.js'
import { createSendBudget } from '../send/send-budget.js'
import { ApiError } from '../errors.js'
import { openApiDocument } from './openapi.js'
import { bodyNotRead } from './read-json.js'
import { referencePage } from './reference-page.js'
import { perKeyRateLimit } from './rate-limit.js'
import { renderError } from './render-error.js'
import { messageRoutes, type RouteOptions } from './routes/messages.js'
import { resendRoutes } from './routes/resend.js'
import { suppressionRoutes } from './routes/suppressions.js'
import { opsApp } from '../ops/app.js'
import { webhookRoutes } from './routes/webhooks.js'

/**
 * The HTTP API, the same for Lambda (hono/aws-lambda) and the local server (@hono/node-server).
 * Every error renders through renderError in one shape; nothing a client sends yields a 500.
 */
export function createApp(deps: Deps, opts: RouteOptions = {}) {
  const app = new Hono<AppEnv>()
  // base64 grows content by 4/3; leave room for the JSON around it.
  const maxBody = Math.ceil((deps.config.limits.maxMessageBytes * 4) / 3) + 1024 * 1024

  app.onError((err, c) => {
    if (!(err instanceof ApiError)) deps.logger.error({ err, path: c.req.path }, 'unhandled error')
    return renderError(c, err)
  })
  app.notFound((c) => renderError(c, new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`)))
  app.use('*', async (c, next) => {
    c.set('logger', deps.logger)
    await next()
  })

  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/', (c) => c.redirect('/docs'))
  app.get('/openapi.json', (c) => c.json(openApiDocument(deps.config)))
  app.get('/docs', (c) => c.html(referencePage(openApiDocument(deps.config))))

  const authFailures = createAuthFailureLimiter(deps.config.authFailureLimit, deps.clock, deps.logger)
  const auth: MiddlewareHandler<AppEnv> = async (c, next) => {
    const address = clientAddress(c)
    authFailures.check(address)
    try {
      c.set('apiKey', authenticate(c.req.header('authorization'), deps.config.apiKeys))
    } catch (err) {
      authFailures.failed(address)
      throw err
    }
    await next()
  }
  // One instance, so /v1 and the Resend-compatible routes share each key's budget.
  const rateLimit = perKeyRateLimit(deps.config)
  const bodyTooLarge = () => new ApiError('payload_too_large', `the request body is larger than ${maxBody * 2} bytes`)
  const limitSize = bodyLimit({
    maxSize: maxBody * 2,
    onError: () => {
      throw bodyTooLarge()
    },
  })
  // bodyLimit reads a body sent without Content-Length itself: a client gone mid-body fails there, not in readJson.
  const limitBody: MiddlewareHandler<AppEnv> = async (c, next) => {
    // With a Content-Length, check it here as bodyLimit would: bodyLimit looks at `c.req.raw.body`, which makes
    // @hono/node-server build a whole web Request and stream for every request instead of reading the body directly.
    // A GET or HEAD has no body to limit (a web Request drops it), whatever its headers say.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (parseInt(length, 10) > maxBody * 2) throw bodyTooLarge()
      return next()
    }
    let routed = false
    try {
      await limitSize(c, async () => {
        routed = true
        await next()
      })
    } catch (err) {
      throw routed || err instanceof ApiError ? err : bodyNotRead(c, err)
    }
  }
  app.use('/v1/*', auth)
  app.use('/v1/*', rateLimit)
  app.use('/v1/*', limitBody)
  const routeOpts = { ...opts, budget: createSendBudget(deps.config, deps.clock) }
  app.route('/v1/messages', messageRoutes(deps, routeOpts))
  app.route('/v1/suppressions', suppressionRoutes(deps))
  app.route('/v1/webhooks', webhookRoutes(deps))
  // Resend's API shapes at /emails (docs/switching-from-resend.md); errors there render in Resend's shape.
  app.route('/', resendRoutes(deps, { ...routeOpts, guards: [auth, rateLimit, limitBody] }))
  // The dashboard (docs/ops.md): its own sign-in (a session cookie), sharing the failed-authentication limit.
  app.route('/ops', opsApp(deps, authFailures))
  return app
}
