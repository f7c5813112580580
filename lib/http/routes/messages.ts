import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import type { OnAccepted } from '../../send/accept.js'
import { cancelMessage } from '../../send/control.js'
import { changeableBy, readMessage, visibleTo } from '../../send/message-view.js'
import { requireScope } from '../../scopes.js'
import { rawRecipientCount, type SendBudget } from '../../send/send-budget.js'
import { submitBatch, submitMessage } from '../../send/submit.js'
import { withIdempotency, type IdempotencyScope, type StoredResponse } from '../../send/idempotency.js'
import type { AppEnv } from '../app-env.js'
import { ApiError, MAX_ISSUES } from '../../errors.js'
import { HTTP_STATUS } from '../status.js'
import { readJson } from '../read-json.js'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export interface RouteOptions {
  /** Called with each accepted message id, so a local runner can send it at once. */
  onAccepted?: OnAccepted
  /** Each key's budget of messages and recipients (lib/send/send-budget.ts); none: unlimited (tests of other things). */
  budget?: SendBudget
}

// 1 to 256 printable ASCII characters (the sf-string of the IETF Idempotency-Key draft), so characters are octets.
const IDEMPOTENCY_KEY = /^[ -~]{1,256}$/

/**
 * Runs `handle` with `count` message ids, reserved under the request's Idempotency-Key when it has one (the same
 * ids on a retry), and answers with the stored or fresh response;
 * a replay carries `Idempotent-Replayed: true`. `scope` names the API (`v1`, `resend`): a key used on one is never
 * replayed on another, whose answers have another shape.
 * @throws ApiError validation_failed (invalid_idempotency_key) unless the key is 1 to 256 printable ASCII characters.
 */
export async function idempotent(
  c: Context<AppEnv>,
  deps: Deps,
  body: unknown,
  count: number,
  handle: (ids: string[]) => Promise<StoredResponse>,
  scope: IdempotencyScope = 'v1',
): Promise<Response> {
  const key = c.req.header('idempotency-key')
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError('validation_failed', 'Idempotency-Key must be 1 to 256 printable ASCII characters', [
      { path: ['headers', 'Idempotency-Key'], code: 'invalid_idempotency_key', message: '1 to 256 printable ASCII characters' },
    ])
  }
  const res = key
    ? await withIdempotency(deps, c.get('apiKey').id, key, body, count, handle, scope)
    : { ...(await handle(Array.from({ length: count }, () => deps.newId()))), replayed: false }
  if (key) c.header('Idempotent-Replayed', String(res.replayed))
  return c.json(res.body as object, res.status as ContentfulStatusCode)
}

/** `/v1/messages` routes: send one, send a batch, read one with its attempts. */
export function messageRoutes(deps: Deps, opts: RouteOptions = {}) {
  const app = new Hono<AppEnv>()

  app.post('/', async (c) => {
    requireScope(c.get('apiKey'), 'send', 'send mail')
    const body = await readJson(c)
    return idempotent(c, deps, body, 1, async ([id]) => {
      opts.budget?.take(c.get('apiKey'), 1, rawRecipientCount(body))
      return { status: 202, body: await submitMessage(deps, c.get('apiKey'), body, opts.onAccepted, [], id) }
    })
  })

  app.post('/batch', async (c) => {
    requireScope(c.get('apiKey'), 'send', 'send mail')
    const body = await readJson(c)
    const unknown = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).filter((k) => k !== 'messages') : []
    if (unknown.length) {
      throw new ApiError(
        'validation_failed',
        'the request has unknown fields',
        unknown.slice(0, MAX_ISSUES).map((k) => ({ path: [k], code: 'unknown_field', message: `unknown field ${JSON.stringify(k)}` })),
      )
    }
    const messages = (body as { messages?: unknown } | null)?.messages
    const max = deps.config.limits.maxBatch
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > max) {
      throw new ApiError('validation_failed', `messages must be an array of 1 to ${max} messages`, [
        { path: ['messages'], code: 'invalid_batch', message: `1 to ${max} messages` },
      ])
    }
    return idempotent(c, deps, body, messages.length, async (ids) => {
      opts.budget?.take(
        c.get('apiKey'),
        messages.length,
        messages.reduce((n: number, m) => n + rawRecipientCount(m), 0),
      )
      const results = (await submitBatch(deps, c.get('apiKey'), messages, opts.onAccepted, ids)).map((r) =>
        r.ok
          ? { status: 202, data: r.data }
          : { status: HTTP_STATUS[r.error.code], error: { code: r.error.code, message: r.error.message, issues: r.error.issues } },
      )
      return { status: 200, body: { results } }
    })
  })

  app.get('/:id', async (c) => {
    const view = await readMessage(deps, c.req.param('id'))
    const key = c.get('apiKey')
    if (!view || !visibleTo(key, view)) throw new ApiError('not_found', 'no message has this id')
    const { request: _request, ...rest } = view
    return c.json(rest)
  })

  // Cancels a scheduled, queued or deferred message: the key's own, or any key's with the admin scope.
  app.delete('/:id', async (c) => {
    const view = await readMessage(deps, c.req.param('id'))
    if (!view || !visibleTo(c.get('apiKey'), view)) throw new ApiError('not_found', 'no message has this id')
    if (!changeableBy(c.get('apiKey'), view)) throw new ApiError('insufficient_scope', 'this API key needs the "admin" scope to cancel another key\'s message')
    await cancelMessage(deps, view.id)
    const { request: _request, ...rest } = (await readMessage(deps, view.id))!
    return c.json(rest)
  })

  return app
}
