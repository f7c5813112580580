import { domainToASCII } from 'node:url'
import type { Config } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { suppressionKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'

/** Why an address is suppressed. */
export type SuppressionReason = 'hard_bounce' | 'complaint' | 'manual'

/** One entry of the suppression list (`suppressions/<scope>/<address>.json`). */
export interface Suppression {
  /** The address as compared: the local part as written, the domain lower-case ASCII (RFC 5321 §2.4). */
  address: string
  /** The sending domain it applies to, or `_global`. */
  scope: string
  reason: SuppressionReason
  /** ISO 8601, when it was added. */
  createdAt: string
  /** What added it: the outbound message and the report (hard bounce, complaint), or a note (manual). */
  messageId: string | null
  reportId: string | null
  detail: string | null
}

/** The scope that holds every sending domain's suppressions when `suppressions.scope` is `global`. */
export const GLOBAL_SCOPE = '_global'

/**
 * An address as the list compares it: the domain lower-cased (and IDNA-encoded), the local part as written, since
 * RFC 5321 §2.4 lets a receiving server tell `Bob@` from `bob@`. Returns null for a string with no `@`.
 */
export function suppressionAddress(address: string): string | null {
  const at = address.lastIndexOf('@')
  if (at <= 0 || at === address.length - 1) return null
  const domain = address.slice(at + 1).toLowerCase()
  return `${address.slice(0, at)}@${domainToASCII(domain) || domain}`
}

/** The scope a message's suppressions live in: its sender's domain, or `_global` (config `suppressions.scope`). */
export function suppressionScope(config: Pick<Config, 'suppressions'>, from: string): string {
  if (config.suppressions.scope === 'global') return GLOBAL_SCOPE
  return (suppressionAddress(from) ?? from).split('@').pop()!
}

/** The entries for these recipients in `scope` (one read each), by compared address; absent ones are left out. */
export async function findSuppressions(deps: Pick<Deps, 'store'>, scope: string, recipients: string[]): Promise<Map<string, Suppression>> {
  const found = new Map<string, Suppression>()
  await Promise.all(
    recipients.map(async (r) => {
      const address = suppressionAddress(r)
      if (!address) return
      const entry = await getJson<Suppression>(deps.store, suppressionKeys.entry(scope, address))
      if (entry) found.set(r, entry.value)
    }),
  )
  return found
}

/**
 * Adds an address to the list (create-only: an address already suppressed keeps its first entry and reason).
 * Returns the entry now in the list.
 * @throws whatever the store throws.
 */
export async function addSuppression(deps: Pick<Deps, 'store'>, entry: Suppression): Promise<{ entry: Suppression; created: boolean }> {
  const key = suppressionKeys.entry(entry.scope, entry.address)
  try {
    await putJson(deps.store, key, entry, { ifNoneMatch: '*' })
    return { entry, created: true }
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err
    const existing = await getJson<Suppression>(deps.store, key)
    return existing ? { entry: existing.value, created: false } : addSuppression(deps, entry)
  }
}

/** Removes an address from a scope's list; true when it was there. */
export async function removeSuppression(deps: Pick<Deps, 'store'>, scope: string, address: string): Promise<boolean> {
  const key = suppressionKeys.entry(scope, address)
  const existed = (await deps.store.get(key)) !== null
  await deps.store.delete(key)
  return existed
}

/**
 * One page of the list, in key order (scope, then address); `after` is the last key of the previous page.
 * O(page) reads on a store that lists by prefix in order.
 */
export async function listSuppressions(
  deps: Pick<Deps, 'store'>,
  opts: { scope?: string; after?: string; limit: number },
): Promise<{ items: Suppression[]; next: string | null }> {
  const prefix = opts.scope ? suppressionKeys.scope(opts.scope) : suppressionKeys.prefix
  const keys = await deps.store.list(prefix, { startAfter: opts.after, limit: opts.limit + 1 })
  const page = keys.slice(0, opts.limit)
  const items = (await Promise.all(page.map((k) => getJson<Suppression>(deps.store, k)))).flatMap((e) => (e ? [e.value] : []))
  return { items, next: keys.length > opts.limit ? page.at(-1)! : null }
}
