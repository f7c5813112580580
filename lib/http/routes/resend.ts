import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { Deps } from '../../deps.js'
import { batchValidation, submitResendBatch } from '../../resend/batch.js'
import { toResendEmailView } from '../../resend/email-view.js'
import { renderResendError } from '../../resend/render-error.js'
import { errorToRender } from '../render-error.js'
import { ResendError } from '../../resend/resend-error.js'
import { submitResendEmail } from '../../resend/submit-email.js'
import { rawRecipientCount } from '../../send/send-budget.js'
import { cancelMessage, rescheduleMessage } from '../../send/control.js'
import { changeableBy, readMessage, visibleTo } from '../../send/message-view.js'
import { requireScope } from '../../scopes.js'
import { z } from 'zod'
import type { AppEnv } from '../app-env.js'
import { ApiError } from '../../errors.js'
import { readJson } from '../read-json.js'
import { idempotent, type RouteOptions } from './messages.js'

export interface ResendRouteOptions extends RouteOptions {
  /** Run before every Resend-compatible route: the same auth, per-key rate limit and body limit as `/v1`. */
  guards: MiddlewareHandler<AppEnv>[]
}

/** Resend's resources beyond sending email (https://resend.com/docs/api-reference): answered with a clear 404. */
const NOT_OFFERED = [
  'api-keys',
  'audiences',
  'automations',
  'broadcasts',
  'contacts',
  'contact-properties',
  'domains',
  'events',
  'inboxes',
  'logs',
  'oauth-grants',
  'segments',
  'suppressions',
  'templates',
  'topics',
  'usage',
  'webhooks',
]

/** Resend allows at most 100 emails in a batch. */
const RESEND_MAX_BATCH = 100

const OFFERED =
  "Postern's Resend-compatible API offers POST /emails, POST /emails/batch, GET /emails/:id, PATCH /emails/:id (scheduled_at) and POST /emails/:id/cancel"

/** @throws ResendError invalid_idempotency_key unless an Idempotency-Key, when sent, has 1 to 256 characters. */
function checkIdempotencyKey(c: Context<AppEnv>) {
  const key = c.req.header('idempotency-key')
  if (key !== undefined && (key.length === 0 || key.length > 256))
    throw new ResendError('invalid_idempotency_key', 'The Idempotency-Key must be 1 to 256 characters.')
}

/**
 * Resend's email API (https://resend.com/docs/api-reference/emails) over Postern's send pipeline, so an app using a
 * Resend SDK switches by setting `RESEND_BASE_URL` and `RESEND_API_KEY`. Mounted at `/`; every error, including
 * the guards', renders in Resend's `{ statusCode, name, message }`. Features Postern does not offer answer an
 * error, never a silent success. See docs/switching-from-resend.md.
 */
export function resendRoutes(deps: Deps, opts: ResendRouteOptions) {
  const app = new Hono<AppEnv>()
  app.onError((err, c) => {
    return renderResendError(
      c,
      errorToRender(deps.logger, c.req.path, err, (e) => e instanceof ApiError || e instanceof ResendError),
    )
  })
  // `/x/*` also matches `/x` itself.
  for (const path of ['/emails/*', ...NOT_OFFERED.map((r) => `/${r}/*`)]) app.use(path, ...opts.guards)

  app.post('/emails', async (c) => {
    requireScope(c.get('apiKey'), 'send', 'send mail')
    const body = await readJson(c)
    checkIdempotencyKey(c)
    return idempotent(
      c,
      deps,
      body,
      1,
      async ([id]) => {
        opts.budget?.take(c.get('apiKey'), 1, rawRecipientCount(body))
        return { status: 200, body: { id: (await submitResendEmail(deps, c.get('apiKey'), body, opts.onAccepted, id)).id } }
      },
      'resend',
    )
  })

  app.post('/emails/batch', async (c) => {
    requireScope(c.get('apiKey'), 'send', 'send mail')
    const body = await readJson(c)
    const mode = batchValidation(c.req.header('x-batch-validation'))
    checkIdempotencyKey(c)
    const max = Math.min(RESEND_MAX_BATCH, deps.config.limits.maxBatch)
    if (!Array.isArray(body) || body.length === 0 || body.length > max) {
      throw new ResendError('validation_error', `The batch must be a JSON array of 1 to ${max} emails.`)
    }
    // The mode is part of the request: the same emails sent strict and permissive are two requests.
    return idempotent(
      c,
      deps,
      { batch: body, mode },
      body.length,
      async (ids) => {
        opts.budget?.take(
          c.get('apiKey'),
          body.length,
          body.reduce((n: number, e) => n + rawRecipientCount(e), 0),
        )
        return { status: 200, body: await submitResendBatch(deps, c.get('apiKey'), body, mode, ids, opts.onAccepted) }
      },
      'resend',
    )
  })

  app.get('/emails/:id', async (c) => {
    const view = await readMessage(deps, c.req.param('id'))
    if (!view || !visibleTo(c.get('apiKey'), view)) throw new ResendError('not_found', 'Email not found')
    return c.json(toResendEmailView(view, deps.clock.now()))
  })

  app.get('/emails', () => {
    throw new ResendError('method_not_allowed', `Postern does not list emails; ${OFFERED}.`)
  })
  app.patch('/emails/:id', async (c) => {
    const body = (await readJson(c)) as { scheduled_at?: unknown } | null
    const at = body && typeof body === 'object' ? body.scheduled_at : undefined
    if (typeof at !== 'string' || !z.iso.datetime({ offset: true }).safeParse(at).success)
      throw new ResendError('validation_error', 'scheduled_at must be ISO 8601 with an offset (2026-11-29T12:00:00Z)')
    if (Date.parse(at) > deps.clock.now() + deps.config.limits.maxScheduleMs) throw new ResendError('validation_error', 'scheduled_at is too far ahead')
    const view = await readMessage(deps, c.req.param('id'))
    if (!view || !changeableBy(c.get('apiKey'), view)) throw new ResendError('not_found', 'Email not found')
    await rescheduleMessage(deps, view.id, at)
    return c.json({ object: 'email', id: view.id })
  })
  app.post('/emails/:id/cancel', async (c) => {
    const view = await readMessage(deps, c.req.param('id'))
    if (!view || !changeableBy(c.get('apiKey'), view)) throw new ResendError('not_found', 'Email not found')
    await cancelMessage(deps, view.id)
    return c.json({ object: 'email', id: view.id })
  })
  app.all('/emails/*', (c) => {
    throw new ResendError('method_not_allowed', `${c.req.method} ${c.req.path} is not offered; ${OFFERED}.`)
  })
  for (const resource of NOT_OFFERED) {
    app.all(`/${resource}/*`, () => {
      throw new ResendError('not_found', `Postern does not offer Resend's /${resource} API; ${OFFERED}.`)
    })
  }
  return app
}
