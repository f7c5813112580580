import type { Logger } from 'pino'
import { getJson, putJson } from '../store/json.js'
import { inboundMailboxKeys } from '../store/keys.js'
import { isPreconditionFailed, type ObjectStore } from '../store/object-store.js'
import type { Clock } from '../deps.js'
import { workerIsGone } from '../worker-id.js'

interface LeaseRecord {
  owner: string
  /** ms since the epoch. */
  expiresAt: number
}

/** A held lease on one mailbox. */
export interface MailboxLease {
  owner: string
  /** Extends the lease when half of it has passed; throws LeaseLostError when another poller took it. */
  renew(): Promise<void>
  /** Gives the lease up (writes it expired, by compare-and-swap); a lease already lost is left alone. */
  release(): Promise<void>
}

/** Another poller holds or took the mailbox's lease; this poll must stop before writing more. */
export class LeaseLostError extends Error {
  constructor(mailbox: string) {
    super(`lease on mailbox ${mailbox} was taken by another poller`)
    this.name = 'LeaseLostError'
  }
}

/**
 * Takes the lease of `mailbox` for `ttlMs`: a create-only write when there is none, or a compare-and-swap over an
 * expired one, so of two overlapping polls exactly one proceeds (S3 conditional writes). Returns null when a live
 * lease is held by someone else. Fallback where a store does not enforce conditions: docs/inbound.md "Lease".
 */
export async function acquireLease(
  store: ObjectStore,
  clock: Clock,
  mailbox: string,
  owner: string,
  ttlMs: number,
  logger?: Logger,
): Promise<MailboxLease | null> {
  const key = inboundMailboxKeys(mailbox).lease
  let etag: string
  let renewedAt = clock.now()
  const record = (): LeaseRecord => ({ owner, expiresAt: clock.now() + ttlMs })
  try {
    etag = (await putJson(store, key, record(), { ifNoneMatch: '*' })).etag
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err
    const current = await getJson<LeaseRecord>(store, key)
    if (current && current.value.expiresAt > clock.now() && !workerIsGone(current.value.owner)) return null
    try {
      etag = current ? (await putJson(store, key, record(), { ifMatch: current.etag })).etag : (await putJson(store, key, record(), { ifNoneMatch: '*' })).etag
    } catch (err2) {
      if (isPreconditionFailed(err2)) return null
      throw err2
    }
    // A released lease has expiresAt 0; only one that ran out, or whose holder is gone, means a poll died holding it.
    if (current && current.value.expiresAt !== 0) logger?.warn({ mailbox, previousOwner: current.value.owner }, 'took over the lease of a poll that died')
  }
  return {
    owner,
    async renew() {
      if (clock.now() - renewedAt < ttlMs / 2) return
      try {
        etag = (await putJson(store, key, record(), { ifMatch: etag })).etag
        renewedAt = clock.now()
      } catch (err) {
        if (isPreconditionFailed(err)) throw new LeaseLostError(mailbox)
        throw err
      }
    },
    async release() {
      try {
        await putJson(store, key, { owner, expiresAt: 0 } satisfies LeaseRecord, { ifMatch: etag })
      } catch (err) {
        if (!isPreconditionFailed(err)) throw err
      }
    },
  }
}
