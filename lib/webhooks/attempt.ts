import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import type { EventRecord } from '../events/outbox.js'
import { classifyAttempt, type AttemptOutcome, type AttemptResult } from './classify.js'
import type { AttemptLog } from './delivery-record.js'
import type { WebhookPayload } from './payload.js'
import { toResendPayload } from './resend-format.js'
import { signResendWebhook, signWebhook } from './sign.js'

/** Bytes of a response body kept in the attempt log. */
const RESPONSE_HEAD_BYTES = 256

async function readHead(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let n = 0
  try {
    while (n < RESPONSE_HEAD_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      n += value.length
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_HEAD_BYTES).toString('utf8')
}

/** The body an endpoint gets for an event in its format; null when the format has no such event (nothing is sent). */
export function bodyFor(ep: WebhookEndpoint, record: EventRecord, payload: WebhookPayload): string | null {
  if (ep.format === 'standard') return JSON.stringify(payload)
  const resend = toResendPayload(record, payload)
  return resend ? JSON.stringify(resend) : null
}

/**
 * One HTTP delivery attempt of `body` to `ep`: signed at the moment it is sent (receivers check the timestamp,
 * Standard Webhooks suggests ±5 minutes), never following redirects, bounded by `ep.timeoutMs`. The outcome is
 * data (classify.ts); nothing is thrown for what the endpoint or the network did.
 */
export async function attemptDelivery(
  deps: Pick<Deps, 'clock' | 'fetch' | 'secrets'>,
  ep: WebhookEndpoint,
  eventId: string,
  body: string,
  n: number,
): Promise<[AttemptOutcome, AttemptLog]> {
  const started = deps.clock.now()
  const t0 = performance.now()
  let result: AttemptResult
  let responseHead = ''
  try {
    const secret = await deps.secrets.text(ep.secret)
    const at = new Date(deps.clock.now())
    const signature = ep.format === 'resend' ? signResendWebhook(secret, eventId, at, body) : signWebhook(secret, eventId, at, body)
    const res = await deps.fetch(ep.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Postern-Webhooks', ...signature },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ep.timeoutMs),
    })
    responseHead = await readHead(res)
    result = { status: res.status, retryAfter: res.headers.get('retry-after') }
  } catch (err) {
    result = { error: err }
  }
  const outcome = classifyAttempt(result, deps.clock.now())
  const log: AttemptLog = {
    attempt: n,
    at: new Date(started).toISOString(),
    status: 'status' in result ? result.status : null,
    latencyMs: Math.round(performance.now() - t0),
    outcome: outcome.kind,
    reason: outcome.kind === 'retry' ? outcome.reason : null,
    responseHead,
  }
  return [outcome, log]
}
