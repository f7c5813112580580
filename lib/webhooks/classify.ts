/** What one delivery attempt came to. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  /** 410 Gone: the receiver asks never to be called again; the endpoint is disabled. */
  | { kind: 'gone'; status: 410 }
  /** Anything else: a non-2xx status, a timeout or a network error. `retryAfterMs` from Retry-After, if any. */
  | { kind: 'retry'; status: number | null; reason: string; retryAfterMs: number | null }

/** What came back: a response (status and Retry-After header), or the error fetch threw. */
export type AttemptResult = { status: number; retryAfter: string | null } | { error: unknown }

/**
 * Parses Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date; returns ms from `nowMs` (never negative),
 * or null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs)
}

const errorReason = (err: unknown): string => {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout'
  if (e?.cause?.code === 'EBLOCKEDTARGET') return `refused target: ${e.cause.message}`
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err)
}

/**
 * Classifies an attempt per the Standard Webhooks spec: 2xx is delivered, 410 disables the endpoint, every other
 * status (3xx included: redirects are not followed), timeouts and refused connections are retried.
 */
export function classifyAttempt(result: AttemptResult, nowMs: number): AttemptOutcome {
  if ('error' in result) return { kind: 'retry', status: null, reason: errorReason(result.error), retryAfterMs: null }
  const { status } = result
  if (status >= 200 && status < 300) return { kind: 'delivered', status }
  if (status === 410) return { kind: 'gone', status }
  return { kind: 'retry', status, reason: `HTTP ${status}`, retryAfterMs: parseRetryAfter(result.retryAfter, nowMs) }
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failures (1-based): min(maxDelayMs, baseDelayMs * 2^(attempt-1))
 * scaled by a jitter in [0.8, 1.2) from `random`, and never shorter than Retry-After asked, itself at most
 * `maxRetryAfterMs` when given.
 */
export function retryDelayMs(
  attempt: number,
  retry: { baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs?: number },
  random: () => number,
  retryAfterMs: number | null,
): number {
  const base = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))
  // A Retry-After far in the future (999999999 s) is cut to maxRetryAfterMs, so no event waits for decades.
  const asked = Math.min(retryAfterMs ?? 0, retry.maxRetryAfterMs ?? Infinity)
  return Math.max(Math.round(base * (0.8 + 0.4 * random())), asked)
}
