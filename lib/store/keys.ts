/**
 * The one module that owns the bucket layout (mirrored in docs/storage.md). The `fs` and `s3` drivers use the
 * same keys, so a local folder looks like the bucket. Keys are deterministic: a retry rewrites the same objects.
 */

/** ISO 8601 UTC with milliseconds: fixed width, so keys sort by time. */
const stamp = (ms: number) => new Date(ms).toISOString()
const pad = (n: number, width = 4) => String(n).padStart(width, '0')

/** Outbound message objects, by Postern id. */
export const messageKeys = (id: string) => ({
  /** The accepted request as validated, plus envelope facts (written once, create-only). */
  request: `messages/${id}/request.json`,
  /** The delivery state, updated by compare-and-swap. */
  state: `messages/${id}/state.json`,
  /** Prefix of the delivery events, one object per attempt. */
  events: `messages/${id}/events/`,
  /** One delivery attempt's event; attempt numbers start at 1. */
  event: (attempt: number) => `messages/${id}/events/${pad(attempt)}.json`,
})

/** The delivery queue: one empty object per message due at a time; listing `queue/` yields them in due order. */
export const queueKeys = {
  prefix: 'queue/',
  entry: (dueAtMs: number, id: string) => `queue/${stamp(dueAtMs)}/${id}`,
  /** Parses an entry key; `null` for a key that is not one. */
  parse(key: string): { dueAtMs: number; id: string } | null {
    const m = /^queue\/([^/]+)\/([^/]+)$/.exec(key)
    if (!m) return null
    const dueAtMs = Date.parse(m[1])
    return Number.isNaN(dueAtMs) ? null : { dueAtMs, id: m[2] }
  },
}

/** Idempotency records, per API key id and SHA-256 of the client's Idempotency-Key. */
export const idempotencyKey = (apiKeyId: string, keyHash: string) => `idempotency/${apiKeyId}/${keyHash}.json`
