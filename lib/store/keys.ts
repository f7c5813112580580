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
  events: `messages/${id}/attempt-`,
  /** One delivery attempt's event; attempt numbers start at 1. */
  event: (attempt: number) => `messages/${id}/attempt-${pad(attempt)}.json`,
})

/**
 * The delivery queue: one empty object per message due at a time, all in one folder (no folder per due time to
 * create and leave behind); listing `queue/` yields them in due order.
 */
export const queueKeys = {
  prefix: 'queue/',
  entry: (dueAtMs: number, id: string) => `queue/${stamp(dueAtMs)}_${id}`,
  /** Parses an entry key; `null` for a key that is not one. */
  parse(key: string): { dueAtMs: number; id: string } | null {
    const m = /^queue\/([^/_]+)_([^/_]+)$/.exec(key)
    if (!m) return null
    const dueAtMs = Date.parse(m[1])
    return Number.isNaN(dueAtMs) ? null : { dueAtMs, id: m[2] }
  },
}

/**
 * Cursors of the scheduled runs on AWS (docs/deploy.md): how far the delivery sweep has enqueued `queue/` entries,
 * and the last poll tick. Outside `queue/`, so no S3 notification fires for them.
 */
export const sweepKeys = {
  delivery: 'sweeps/delivery.json',
  pollTick: 'sweeps/poll-tick.json',
  /** How far the webhook sweep has looked for outbox records whose S3 notification was lost. */
  webhooks: 'sweeps/webhooks.json',
  /** One object per mailbox whose last poll on AWS failed: its error backoff, which the poll tick reads. */
  pollBackoffPrefix: 'sweeps/poll-backoff/',
  pollBackoff: (mailbox: string) => `sweeps/poll-backoff/${mailbox}.json`,
}

/** What the local sandbox relay received: the exact bytes and the SMTP envelope, in arrival order. */
export const sandboxKeys = {
  prefix: 'sandbox/',
  message: (receivedAtMs: number, seq: number) => {
    const base = `sandbox/${stamp(receivedAtMs).replace(/[:.]/g, '-')}-${pad(seq, 6)}`
    return { raw: `${base}.eml`, envelope: `${base}.envelope.json` }
  },
}

/** The top-level folders of gateway data (local-mode files aside): what tells a data folder in use from a new one. */
export const dataPrefixes = ['messages/', 'queue/', 'idempotency/', 'inbound/', 'webhooks/'] as const

/** Local-mode files: the development API key made on first `npm start` when none is configured. */
export const localKeys = { apiKey: 'local/api-key.txt' }

/** Idempotency records, per API key id and SHA-256 of the client's Idempotency-Key. */
export const idempotencyKey = (apiKeyId: string, keyHash: string) => `idempotency/${apiKeyId}/${keyHash}.json`

// ---------------------------------------------------------------------------------------------------------------
// Inbound (issue 3): polled mailboxes and webhook delivery. Mirrored in docs/storage.md "## Inbound".
// ---------------------------------------------------------------------------------------------------------------

/** A key segment from a name that may be empty or a dot segment (assertSafeKey rejects those). */
const segment = (s: string) => (s === '' || s === '.' || s === '..' ? '_' : s)

/**
 * Objects of one received message. `id` is derived from the raw bytes (lib/inbound/message-id.ts), so the same
 * message in the same mailbox always lands on the same keys, whatever its UID or UIDL.
 */
export const inboundMessageKeys = (mailbox: string, id: string) => {
  const base = `inbound/${mailbox}/messages/${id}`
  return {
    /** Byte-exact RFC 5322 message as fetched. */
    raw: `${base}/message.eml`,
    /** The normalized document (lib/normalize/inbound-message.ts). */
    doc: `${base}/message.json`,
    /** Written last: `{ eventId, sequence }`; its presence means the message is fully stored. */
    stored: `${base}/stored.json`,
    /** Decoded attachment content; `safeFilename` comes from the normalizer and holds no `/`. */
    attachment: (attachmentId: string, safeFilename: string) => `${base}/attachments/${segment(attachmentId)}/${segment(safeFilename)}`,
  }
}

/**
 * The fingerprint index of a mailbox: one `{ id }` per Message-ID + Date + From (lib/inbound/fingerprint.ts), so a
 * message re-uploaded with changed bytes after a UIDVALIDITY reset is recognised.
 */
export const inboundFingerprintKey = (mailbox: string, fingerprint: string) => `inbound/${mailbox}/fingerprints/${fingerprint}.json`

/** Per-mailbox poll state (cursors, sequence, seen UIDLs; compare-and-swap) and its lease (create-only, then CAS). */
export const inboundMailboxKeys = (mailbox: string) => ({
  state: `inbound/${mailbox}/state.json`,
  lease: `inbound/${mailbox}/lease.json`,
})

/**
 * Webhook outbox (events awaiting delivery), per-endpoint delivery records and dead letters. Outbox keys sort by
 * source, then sequence. A mailbox's events keep the folder they always had (`webhooks/outbox/<mailbox>/`); other
 * sources live under names starting with `_`, which no mailbox id can (lib/config/mailbox.ts ResourceId). Messages
 * share one folder (`<id>.<sequence>`), so the send path makes no folder per message.
 */
export const webhookKeys = {
  outboxPrefix: 'webhooks/outbox/',
  /** One mailbox event awaiting delivery; the 12-digit sequence keeps a mailbox's events in order when listed. */
  outbox: (mailbox: string, sequence: number) => `webhooks/outbox/${mailbox}/${pad(sequence, 12)}.json`,
  /** The outbox key of an event of any source (lib/events/event-types.ts EventSource). */
  outboxFor(source: string, sequence: number): string {
    if (source === 'system') return `webhooks/outbox/_system/${pad(sequence, 12)}.json`
    const colon = source.indexOf(':')
    const kind = source.slice(0, colon)
    const id = source.slice(colon + 1)
    if (kind === 'mailbox') return webhookKeys.outbox(id, sequence)
    if (kind === 'message') return `webhooks/outbox/_messages/${id}.${pad(sequence, 12)}.json`
    throw new Error(`not an event source: ${JSON.stringify(source)}`)
  },
  /** Whether `key` names an outbox record (what a webhook-queue message may point at). */
  isOutboxKey: (key: string) => /^webhooks\/outbox\/(?!\.\.?\/)[^/]+\/[^/]+\.json$/.test(key),
  /**
   * An event set aside on AWS until `dueAtMs` (its next attempt is further ahead than SQS can hide a message, or its
   * message was received too often); the body names its outbox key. Sorted by due time, like `queue/`.
   */
  laterPrefix: 'webhooks/later/',
  later: (dueAtMs: number, eventId: string) => `webhooks/later/${stamp(dueAtMs)}_${eventId}.json`,
  /** The due time of a `later` key; null for a key that is not one. */
  parseLater(key: string): { dueAtMs: number } | null {
    const m = /^webhooks\/later\/([^/_]+)_[^/]+\.json$/.exec(key)
    const dueAtMs = m ? Date.parse(m[1]) : NaN
    return Number.isNaN(dueAtMs) ? null : { dueAtMs }
  },
  /** Attempts of one event to one endpoint. */
  delivery: (endpointId: string, eventId: string) => `webhooks/deliveries/${endpointId}/${eventId}.json`,
  deadLetter: (endpointId: string, eventId: string) => `webhooks/dead-letter/${endpointId}/${eventId}.json`,
  /** Health of an endpoint: failing since, disabled and why. */
  endpoint: (endpointId: string) => `webhooks/endpoints/${endpointId}.json`,
}

// ---------------------------------------------------------------------------------------------------------------
// Event log (issue 11): newline-delimited JSON by date for DuckDB and Athena. Mirrored in docs/storage.md "## Event log".
// ---------------------------------------------------------------------------------------------------------------

/**
 * The event log (lib/logs/event-log.ts): Hive-style `dt=YYYY-MM-DD/` partitions (the UTC date of the events in it),
 * each holding segment objects written whole, once. A segment's name starts with its flush time, then the writer and
 * its count, so names sort by time and two writers never pick the same name.
 */
export const eventLogKeys = {
  prefix: 'logs/events/',
  partition: (day: string) => `logs/events/dt=${day}/`,
  segment: (day: string, flushedAtMs: number, writer: string, n: number) => `${eventLogKeys.flushedAt(day, flushedAtMs)}_${writer}_${pad(n, 6)}.ndjson`,
  /** What every segment of `day` flushed at `ms` starts with: list after it for the segments flushed later. */
  flushedAt: (day: string, ms: number) => `logs/events/dt=${day}/${stamp(ms).replace(/[:.]/g, '-')}`,
  /** The partition date of a segment key; null for a key that is not one. */
  parse(key: string): { day: string } | null {
    const m = /^logs\/events\/dt=(\d{4}-\d{2}-\d{2})\/[^/]+\.ndjson$/.exec(key)
    return m ? { day: m[1] } : null
  },
}

// ---------------------------------------------------------------------------------------------------------------
// Ops read side (issue 11, webhook deliveries and mailboxes). Mirrored in docs/storage.md "## Ops: deliveries".
// ---------------------------------------------------------------------------------------------------------------

/** Listing order of the delivery index: newest first, so reversed fixed-width numbers (ms, and days for folders). */
const MAX_MS = 9_999_999_999_999
const DAY_MS = 86_400_000
const reverseMs = (ms: number) => pad(MAX_MS - Math.max(0, Math.min(MAX_MS, Math.floor(ms))), 13)
const reverseDay = (ms: number) => pad(99_999 - Math.floor(Math.max(0, ms) / DAY_MS), 5)

/** What a delivery index entry names: the delivery and what the list filters look at without reading it. */
export interface DeliveryIndexEntry {
  /** ms since the epoch: when the event was recorded. */
  createdAtMs: number
  eventId: string
  endpointId: string
  type: string
}

/**
 * The index of webhook deliveries (lib/webhooks/delivery-index.ts): empty objects in four partitions per
 * delivery: every delivery, one endpoint's, one status's, and one endpoint's in one status (`_all` stands for no
 * filter; no endpoint id can start with `_`). In a partition, entries sort newest event first, in one folder per
 * day (so the fs driver reads only the days a page needs); the name carries the event id, endpoint and type, so
 * the type filter reads no object.
 */
export const deliveryIndexKeys = {
  prefix: 'webhooks/index/',
  partition: (status: string | null, endpointId: string | null) => `webhooks/index/${status ?? '_all'}/${endpointId ?? '_all'}/`,
  entry(status: string | null, endpointId: string | null, e: DeliveryIndexEntry): string {
    const name = `${reverseMs(e.createdAtMs)}~${e.eventId}~${e.endpointId}~${e.type}`
    return `${deliveryIndexKeys.partition(status, endpointId)}${reverseDay(e.createdAtMs)}/${name}`
  },
  /** A `startAfter` that skips a partition's entries of events recorded after `ms` (newer ones sort first). */
  olderThan: (status: string | null, endpointId: string | null, ms: number) =>
    `${deliveryIndexKeys.partition(status, endpointId)}${reverseDay(ms + 1)}/${reverseMs(ms + 1)}~~`,
  /** The entry a key names; null for a key that is not one. */
  parse(key: string): DeliveryIndexEntry | null {
    const m = /^webhooks\/index\/[^/]+\/[^/]+\/\d{5}\/(\d{13})~([^~/]+)~([^~/]+)~([^~/]+)$/.exec(key)
    return m ? { createdAtMs: MAX_MS - Number(m[1]), eventId: m[2], endpointId: m[3], type: m[4] } : null
  },
}

/**
 * One empty object per delivery put back in line through the API (lib/webhooks/requeue.ts): tells every local
 * dispatcher to forget what it remembers about the event's deliveries. Removed after an hour by later requeues.
 */
export const requeueKeys = {
  prefix: 'webhooks/requeued/',
  /** `nonce` (a fresh id) keeps two requeues of one event in the same millisecond apart. */
  marker: (atMs: number, eventId: string, nonce: string) => `webhooks/requeued/${stamp(atMs)}~${eventId}~${nonce}`,
  /** The time and event of a marker key; null for a key that is not one. */
  parse(key: string): { atMs: number; eventId: string } | null {
    const m = /^webhooks\/requeued\/([^/~]+)~([^/~]+)~[^/~]+$/.exec(key)
    const atMs = m ? Date.parse(m[1]) : NaN
    return m && !Number.isNaN(atMs) ? { atMs, eventId: m[2] } : null
  },
}

/** The folder of a mailbox's fingerprint index (inboundFingerprintKey), and the fingerprint a key in it names. */
export const fingerprintListing = (mailbox: string) => {
  const prefix = `inbound/${mailbox}/fingerprints/`
  return { prefix, parse: (key: string) => (key.startsWith(prefix) && key.endsWith('.json') ? key.slice(prefix.length, -'.json'.length) : null) }
}

/** The outcome of each mailbox's last poll (lib/inbound/last-poll.ts), written after every poll. */
export const lastPollKey = (mailbox: string) => `inbound/${mailbox}/last-poll.json`

/**
 * The suppression list: one object per (scope, address). `scope` is the sending domain (lower-case ASCII) or
 * `_global` (config `suppressions.scope`); `address` is percent-encoded (encodeURIComponent), so it holds no `/`.
 */
export const suppressionKeys = {
  prefix: 'suppressions/',
  scope: (scope: string) => `suppressions/${segment(scope)}/`,
  entry: (scope: string, address: string) => `suppressions/${segment(scope)}/${encodeURIComponent(address)}.json`,
  /** The address of an entry key; null for a key that is not one. */
  parse(key: string): { scope: string; address: string } | null {
    const m = /^suppressions\/([^/]+)\/([^/]+)\.json$/.exec(key)
    if (!m) return null
    try {
      return { scope: m[1], address: decodeURIComponent(m[2]) }
    } catch {
      return null
    }
  },
}

// ---------------------------------------------------------------------------------------------------------------
// Indexes (issue 11): small objects that list views read newest first. Mirrored in docs/storage.md "## Indexes".
// Entry names sort newest first: outbound entries by the inverted Postern id (a ULID, so by acceptance time, then
// id); inbound entries by an inverted 13-digit ms timestamp of `receivedAt`, then id and mailbox.
// ---------------------------------------------------------------------------------------------------------------

/** An index value (address, tag, API key id) as one key segment: lower-cased, percent-encoded, `_` when empty. */
const indexValue = (v: string) => segment(encodeURIComponent(v.toLowerCase()))

/** Outbound message indexes; `all` entries hold the message summary (lib/logs/message-index.ts), others are empty. */
export const messageIndexKeys = {
  all: 'indexes/messages/all/',
  status: (status: string) => `indexes/messages/status/${status}/`,
  /** Any envelope recipient (to, cc, bcc). */
  to: (address: string) => `indexes/messages/to/${indexValue(address)}/`,
  from: (address: string) => `indexes/messages/from/${indexValue(address)}/`,
  tag: (tag: string) => `indexes/messages/tag/${indexValue(tag)}/`,
  /** The API key that sent it. */
  apiKey: (apiKeyId: string) => `indexes/messages/key/${indexValue(apiKeyId)}/`,
  /** An entry under one of the prefixes above; `invertedId` from lib/logs/index-order.ts. */
  entry: (prefix: string, invertedId: string) => `${prefix}${invertedId}`,
}

/** Inbound message indexes; `all` entries hold the message summary (lib/logs/inbound-index.ts), others are empty. */
export const inboundIndexKeys = {
  all: 'indexes/inbound/all/',
  mailbox: (mailbox: string) => `indexes/inbound/mailbox/${segment(mailbox)}/`,
  /** From and Sender addresses. */
  from: (address: string) => `indexes/inbound/from/${indexValue(address)}/`,
  /** To and Cc addresses. */
  to: (address: string) => `indexes/inbound/to/${indexValue(address)}/`,
  /** An entry: `tail` is `<inverted receivedAt>_<id>.<mailbox>` (lib/logs/inbound-index.ts inboundTail). */
  entry: (prefix: string, tail: string) => `${prefix}${tail}`,
  /** The mailboxes holding a message id (the same bytes in two mailboxes share an id): one empty object each. */
  idPrefix: (id: string) => `indexes/inbound/ids/${segment(id)}/`,
  id: (id: string, mailbox: string) => `indexes/inbound/ids/${segment(id)}/${segment(mailbox)}`,
}

/** What an inbound message object key names (inboundMessageKeys): the raw message, its document or an attachment; null for any other key. */
export function parseInboundObjectKey(key: string): { mailbox: string; id: string; object: 'raw' | 'doc' | { attachmentId: string } } | null {
  const m = /^inbound\/([^/]+)\/messages\/([^/]+)\/(?:(message\.eml)|(message\.json)|attachments\/([^/]+)\/[^/]+)$/.exec(key)
  if (!m) return null
  return { mailbox: m[1], id: m[2], object: m[3] ? 'raw' : m[4] ? 'doc' : { attachmentId: m[5] } }
}

/** The local gateway's key for signed URLs (lib/signed-url.ts), made on first start when none is configured. */
export const urlSigningKey = 'local/url-signing-key.txt'

// ---------------------------------------------------------------------------------------------------------------
// Ops dashboard (issue 11): /ops sessions. Mirrored in docs/storage.md "## Ops dashboard".
// ---------------------------------------------------------------------------------------------------------------

/** The random secret that signs /ops session cookies (made on first sign-in, create-only; lib/ops/session.ts). */
export const opsKeys = { sessionSecret: 'ops/session-secret.txt' }
