import { Hono } from 'hono'
import { z } from 'zod'
import { requireScope } from '../../scopes.js'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { toFieldIssues } from '../../field-issues.js'
import { addSuppression, GLOBAL_SCOPE, listSuppressions, removeSuppression, suppressionAddress } from '../../suppressions/suppression.js'
import { normalizeAddress, normalizeDomain } from '../../send/address.js'
import { plainJsonIssues } from '../../send/plain-json.js'
import type { AppEnv } from '../app-env.js'
import { readJson } from '../read-json.js'

const NewSuppression = z.strictObject({
  address: z.string().max(320),
  /** The sending domain the entry applies to; required when suppressions are kept per domain. */
  domain: z.string().max(253).optional(),
  note: z.string().max(1000).optional(),
})

/**
 * The scope an entry lives in: `_global` when the list is global, else the sending domain given as `domain`.
 * @throws ApiError validation_failed without one in domain mode, or with one that is not a host name (`invalid_domain`).
 */
function scopeOf(deps: Deps, domain: string | undefined, path: (string | number)[]): string {
  if (deps.config.suppressions.scope === 'global') return GLOBAL_SCOPE
  const d = domain?.trim()
  if (!d)
    throw new ApiError('validation_failed', 'name the sending domain the entry applies to', [
      { path, code: 'missing_field', message: 'required: suppressions are kept per sending domain' },
    ])
  // The scope is a key segment, and must be the one sends look in (suppressionScope: lower-case IDNA ASCII).
  const ascii = normalizeDomain(d.toLowerCase())
  if (typeof ascii !== 'string') throw new ApiError('validation_failed', 'the request has invalid fields', [{ path, ...ascii }])
  return ascii
}

/** `/v1/suppressions`: list (paged, in address order; `read` scope), add (manual) and remove (`admin` scope). */
export function suppressionRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    const read = c.req.method === 'GET' || c.req.method === 'HEAD'
    requireScope(c.get('apiKey'), read ? 'read' : 'admin', read ? 'read the suppression list' : 'change the suppression list')
    await next()
  })

  app.get('/', async (c) => {
    const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 50) || 50))
    const domain = c.req.query('domain')
    const scope = deps.config.suppressions.scope === 'global' || domain ? scopeOf(deps, domain, ['query', 'domain']) : undefined
    const page = await listSuppressions(deps, { scope, after: c.req.query('cursor') || undefined, limit })
    return c.json({ data: page.items, nextCursor: page.next })
  })

  app.post('/', async (c) => {
    const body = await readJson(c)
    // Before the schema: a lone surrogate would become U+FFFD in a key, or throw in encodeURIComponent.
    const plain = plainJsonIssues(body)
    if (plain.length) throw new ApiError('validation_failed', 'the request has invalid fields', plain)
    const parsed = NewSuppression.safeParse(body)
    if (!parsed.success) throw new ApiError('validation_failed', 'the request has invalid fields', toFieldIssues(parsed.error.issues))
    const checked = normalizeAddress(parsed.data.address.trim())
    if ('code' in checked)
      throw new ApiError('validation_failed', 'the request has invalid fields', [{ path: ['address'], code: checked.code, message: checked.message }])
    const scope = scopeOf(deps, parsed.data.domain, ['domain'])
    const { entry, created } = await addSuppression(deps, {
      address: suppressionAddress(checked.address)!,
      scope,
      reason: 'manual',
      createdAt: new Date(deps.clock.now()).toISOString(),
      messageId: null,
      reportId: null,
      detail: parsed.data.note ?? null,
    })
    return c.json(entry, created ? 201 : 200)
  })

  app.delete('/:address', async (c) => {
    const address = suppressionAddress(c.req.param('address'))
    if (!address) throw new ApiError('validation_failed', 'not an address', [{ path: ['address'], code: 'invalid_address', message: 'must be an address' }])
    const removed = await removeSuppression(deps, scopeOf(deps, c.req.query('domain'), ['query', 'domain']), address)
    if (!removed) throw new ApiError('not_found', 'that address is not on the suppression list')
    return c.body(null, 204)
  })
  return app
}
