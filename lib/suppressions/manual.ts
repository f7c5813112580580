import type { Deps } from '../deps.js'
import { ApiError } from '../errors.js'
import { normalizeAddress, normalizeDomain } from '../send/address.js'
import { addSuppression, GLOBAL_SCOPE, removeSuppression, suppressionAddress, type Suppression } from './suppression.js'

/**
 * The scope an entry lives in: `_global` when the list is global, else the sending domain given as `domain`, as
 * sends look it up (suppressionScope: lower-case IDNA ASCII), since it is a key segment.
 * @throws ApiError validation_failed (issue at `path`) without one in domain mode, or with one that is not a host
 * name (`invalid_domain`).
 */
export function scopeOf(deps: Pick<Deps, 'config'>, domain: string | undefined, path: (string | number)[]): string {
  if (deps.config.suppressions.scope === 'global') return GLOBAL_SCOPE
  const d = domain?.trim()
  if (!d)
    throw new ApiError('validation_failed', 'name the sending domain the entry applies to', [
      { path, code: 'missing_field', message: 'required: suppressions are kept per sending domain' },
    ])
  const ascii = normalizeDomain(d.toLowerCase())
  if (typeof ascii !== 'string') throw new ApiError('validation_failed', 'the request has invalid fields', [{ path, ...ascii }])
  return ascii
}

/**
 * Adds an address by hand (reason `manual`, `note` kept as `detail`); one already there keeps its first entry.
 * @throws ApiError validation_failed (issues at `address`, `domain`) for an address that is not one, or no domain
 * where the list is kept per sending domain.
 */
export async function addManualSuppression(
  deps: Pick<Deps, 'config' | 'store' | 'clock'>,
  input: { address: string; domain?: string; note?: string },
): Promise<{ entry: Suppression; created: boolean }> {
  const checked = normalizeAddress(input.address.trim())
  if ('code' in checked)
    throw new ApiError('validation_failed', 'the request has invalid fields', [{ path: ['address'], code: checked.code, message: checked.message }])
  return addSuppression(deps, {
    address: suppressionAddress(checked.address)!,
    scope: scopeOf(deps, input.domain, ['domain']),
    reason: 'manual',
    createdAt: new Date(deps.clock.now()).toISOString(),
    messageId: null,
    reportId: null,
    detail: input.note ?? null,
  })
}

/**
 * Removes an address from the list; true when it was there.
 * @throws ApiError validation_failed for a string with no `@`, or no domain in per-domain mode (`domainPath`).
 */
export async function removeManualSuppression(
  deps: Pick<Deps, 'config' | 'store'>,
  rawAddress: string,
  domain: string | undefined,
  domainPath: (string | number)[],
): Promise<boolean> {
  const address = suppressionAddress(rawAddress)
  if (!address) throw new ApiError('validation_failed', 'not an address', [{ path: ['address'], code: 'invalid_address', message: 'must be an address' }])
  return removeSuppression(deps, scopeOf(deps, domain, domainPath), address)
}
