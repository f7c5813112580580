import { createHash } from 'node:crypto'
import stringify from 'safe-stable-stringify'
import type { Deps } from '../deps.js'
import { ApiError } from '../errors.js'
import { getJson, putJson } from '../store/json.js'
import { idempotencyKey } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'

/** A stored answer: replayed as is for a retry with the same key and body. */
export interface StoredResponse {
  status: number
  body: unknown
}

interface IdempotencyRecord {
  bodyHash: string
  /** ISO 8601. */
  createdAt: string
  /**
   * The message ids this request stores its messages under, reserved before anything is accepted: a retry after a
   * crash at any point reuses them, so it finds what was stored and sends nothing twice.
   */
  ids?: string[]
  response: StoredResponse | null
}

/** The API a key is used on: each keeps its own records, as their answers have different shapes. */
export type IdempotencyScope = 'v1' | 'resend'

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')

/** Hash of a request body that ignores key order and whitespace, so a re-serialised retry matches. */
export const bodyHash = (body: unknown) => sha256(stringify(body) ?? '')

/** The stored record's key: `v1` keeps the key alone (records written before scopes); a header has no newline. */
const scopedKey = (scope: IdempotencyScope, key: string) => sha256(scope === 'v1' ? key : `${scope}\n${key}`)

/**
 * Runs `handle` at most once per (API key, scope, Idempotency-Key) within `config.idempotencyTtlMs`, as Stripe and the
 * IETF draft "The Idempotency-Key HTTP Header Field" describe: a retry with the same body gets the first answer
 * and `replayed: true`; the same key with another body is refused, as is a retry while the first is running.
 * The record reserves `count` message ids before `handle` runs and gives them to it; a request that crashed (its
 * record has no answer after `idempotencyInProgressMs`) is taken over with the same ids, so whatever it stored is found
 * again and nothing is sent twice. An answer is kept only when it is a success (2xx), so a client may correct and
 * retry a failed request (the record is removed; a request stored under its ids was never queued, or is the answer).
 * @throws ApiError idempotency_key_reused (409, other body) or idempotency_key_in_use (409, still running).
 */
export async function withIdempotency(
  deps: Deps,
  apiKeyId: string,
  key: string,
  body: unknown,
  count: number,
  handle: (ids: string[]) => Promise<StoredResponse>,
  scope: IdempotencyScope = 'v1',
): Promise<StoredResponse & { replayed: boolean }> {
  const storeKey = idempotencyKey(apiKeyId, scopedKey(scope, key))
  const hash = bodyHash(body)
  const now = deps.clock.now()
  let fresh: IdempotencyRecord = {
    bodyHash: hash,
    createdAt: new Date(now).toISOString(),
    ids: Array.from({ length: count }, () => deps.newId()),
    response: null,
  }

  let etag: string
  try {
    etag = (await putJson(deps.store, storeKey, fresh, { ifNoneMatch: '*' })).etag
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err
    const existing = await getJson<IdempotencyRecord>(deps.store, storeKey)
    if (!existing) return withIdempotency(deps, apiKeyId, key, body, count, handle, scope)
    const age = now - Date.parse(existing.value.createdAt)
    const expired = age > deps.config.idempotencyTtlMs
    const abandoned = existing.value.response === null && age > deps.config.idempotencyInProgressMs
    if (!expired && !abandoned) {
      if (existing.value.bodyHash !== hash) {
        throw new ApiError('idempotency_key_reused', 'this Idempotency-Key was used with a different request body')
      }
      if (existing.value.response) return { ...existing.value.response, replayed: true }
      throw new ApiError('idempotency_key_in_use', 'a request with this Idempotency-Key is still being processed; retry later', [], { 'Retry-After': '1' })
    }
    // Taking over a request that crashed: the same body under the same ids finds what it stored.
    if (abandoned && !expired && existing.value.bodyHash === hash && existing.value.ids?.length === count) fresh = { ...fresh, ids: existing.value.ids }
    try {
      etag = (await putJson(deps.store, storeKey, fresh, { ifMatch: existing.etag })).etag
    } catch (e) {
      if (isPreconditionFailed(e))
        throw new ApiError('idempotency_key_in_use', 'a request with this Idempotency-Key is being processed; retry later', [], { 'Retry-After': '1' })
      throw e
    }
  }

  let response: StoredResponse
  try {
    response = await handle(fresh.ids!)
  } catch (err) {
    // Best effort: a record left behind only makes a retry wait idempotencyInProgressMs and reuse the same ids.
    await deps.store.delete(storeKey).catch((e) => deps.logger.warn({ err: e }, 'an idempotency record could not be removed after a failed request'))
    throw err
  }
  if (response.status >= 200 && response.status < 300) {
    await putJson(deps.store, storeKey, { ...fresh, response }, { ifMatch: etag })
  } else {
    await deps.store.delete(storeKey)
  }
  return { ...response, replayed: false }
}
