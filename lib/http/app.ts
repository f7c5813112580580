import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Deps } from '../deps.js'
import type { UrlSigner } from '../signed-url.js'
import type { AppEnv } from './app-env.js'
import { authenticate } from './auth.js'
import { clientAddress, createAuthFailureLimiter } from './auth-failures.js'
import { createSendBudget } from '../send/send-budget.js'
import { ApiError } from '../errors.js'
import { openApiDocument } from './openapi.js'
import { bodyNotRead } from './read-json.js'
import { referencePage } from './reference-page.js'
import { perKeyRateLimit } from './rate-limit.js'
import { errorToRender, renderError } from './render-error.js'
import { mailboxRoutes } from './routes/mailboxes.js'
import { eventRoutes } from './routes/events.js'
import { messageRoutes, type RouteOptions } from './routes/messages.js'
import { inboundRoutes } from './routes/inbound.js'
import { listMessageRoutes } from './routes/list-messages.js'
import { resendRoutes } from './routes/resend.js'
import { suppressionRoutes } from './routes/suppressions.js'
import { opsApp } from '../ops/app.js'
import { webhookRoutes } from './routes/webhooks.js'
import { rejectRepeatedParams } from './query.js'

/** Paths a signed URL may read (what lib/local/gateway-urls.ts signs): an inbound document, raw message, attachment. */
const SIGNABLE = /^\/v1\/inbound\/[^/]+(?:\/raw|\/attachments\/[^/]+)?$/

/** @throws ApiError invalid_signature or url_expired (403) unless the URL's signature is valid and unexpired. */
function checkSignedUrl(signer: UrlSigner, path: string, query: URLSearchParams): void {
  const verdict = signer.verify(path, query)
  if (verdict === 'invalid') throw new ApiError('invalid_signature', 'the URL signature is not valid for this path and query')
  if (verdict === 'expired') throw new ApiError('url_expired', 'the signed URL has expired: take a fresh one from a new webhook or the API')
}

/**
 * The HTTP API, the same for Lambda (hono/aws-lambda) and the local server (@hono/node-server).
 * Every error renders through renderError in one shape; nothing a client sends yields a 500.
 */
export function createApp(deps: Deps, opts: RouteOptions = {}) {
  const app = new Hono<AppEnv>()
  // base64 grows content by 4/3; leave room for the JSON around it.
  const maxBody = Math.ceil((deps.config.limits.maxMessageBytes * 4) / 3) + 1024 * 1024

  app.onError((err, c) => {
    return renderError(
      c,
      errorToRender(deps.logger, c.req.path, err, (e) => e instanceof ApiError),
    )
  })
  app.notFound((c) => renderError(c, new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`)))
  app.use('*', async (c, next) => {
    c.set('logger', deps.logger)
    await next()
  })

  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/', (c) => c.redirect('/docs'))
  app.get('/openapi.json', (c) => c.json(openApiDocument(deps.config)))
  // Rendered once: the document depends only on the config.
  let reference: ReturnType<typeof referencePage> | undefined
  app.get('/docs', (c) => c.html((reference ??= referencePage(openApiDocument(deps.config)))))

  const authFailures = createAuthFailureLimiter(deps.config.authFailureLimit, deps.clock, deps.logger)
  const auth: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (deps.urlSigner && c.req.query('signature') !== undefined && SIGNABLE.test(c.req.path) && c.req.method === 'GET') {
      checkSignedUrl(deps.urlSigner, c.req.path, new URL(c.req.url).searchParams)
      c.set('signedUrl', true)
      return next()
    }
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
  app.use('/v1/*', rejectRepeatedParams)
  const routeOpts = { ...opts, budget: createSendBudget(deps.config, deps.clock) }
  app.route('/v1/messages', listMessageRoutes(deps))
  app.route('/v1/messages', messageRoutes(deps, routeOpts))
  app.route('/v1/inbound', inboundRoutes(deps))
  app.route('/v1/suppressions', suppressionRoutes(deps))
  app.route('/v1/events', eventRoutes(deps))
  app.route('/v1/webhooks', webhookRoutes(deps))
  app.route('/v1/mailboxes', mailboxRoutes(deps))
  // Resend's API shapes at /emails (docs/switching-from-resend.md); errors there render in Resend's shape.
  app.route('/', resendRoutes(deps, { ...routeOpts, guards: [auth, rateLimit, limitBody] }))
  // The dashboard (docs/ops.md): its own sign-in (a session cookie), sharing the failed-authentication limit.
  app.route('/ops', opsApp(deps, authFailures))
  return app
}
