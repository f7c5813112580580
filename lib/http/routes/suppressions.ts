import { Hono } from 'hono'
import { z } from 'zod'
import { requireScope } from '../../scopes.js'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { toFieldIssues } from '../../field-issues.js'
import { GLOBAL_SCOPE, listSuppressions } from '../../suppressions/suppression.js'
import { addManualSuppression, removeManualSuppression, scopeOf } from '../../suppressions/manual.js'
import { plainJsonIssues } from '../../send/plain-json.js'
import type { AppEnv } from '../app-env.js'
import { readJson } from '../read-json.js'
import { cursorQuery, limitQuery, parseQuery, queryString } from '../query.js'
import { suppressionKeys } from '../../store/keys.js'

const ListQuery = z.strictObject({
  domain: queryString('The sending domain whose entries to list (suppressions kept per domain).', 'example.com').optional(),
  limit: limitQuery,
  cursor: cursorQuery.optional(),
})

const NewSuppression = z.strictObject({
  address: z.string().max(320),
  /** The sending domain the entry applies to; required when suppressions are kept per domain. */
  domain: z.string().max(253).optional(),
  note: z.string().max(1000).optional(),
})

/** `/v1/suppressions`: list (paged, in address order; `read` scope), add (manual) and remove (`admin` scope). */
export function suppressionRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    const read = c.req.method === 'GET' || c.req.method === 'HEAD'
    requireScope(c.get('apiKey'), read ? 'read' : 'admin', read ? 'read the suppression list' : 'change the suppression list')
    await next()
  })

  app.get('/', async (c) => {
    const { domain, limit, cursor } = parseQuery(c, ListQuery)
    const scope = deps.config.suppressions.scope === 'global' || domain ? scopeOf(deps, domain, ['query', 'domain']) : undefined
    // The cursor is the key of the last entry of the previous page: one of this listing's, or it is not a cursor.
    if (cursor !== undefined && (!suppressionKeys.parse(cursor) || (scope && !cursor.startsWith(suppressionKeys.scope(scope)))))
      throw new ApiError('validation_failed', 'the query string is not valid', [
        { path: ['query', 'cursor'], code: 'invalid_cursor', message: 'pass nextCursor of the previous page of the same listing, unchanged' },
      ])
    const page = await listSuppressions(deps, { scope, after: cursor, limit })
    return c.json({ data: page.items, nextCursor: page.next })
  })

  app.post('/', async (c) => {
    const body = await readJson(c)
    // Before the schema: a lone surrogate would become U+FFFD in a key, or throw in encodeURIComponent.
    const plain = plainJsonIssues(body)
    if (plain.length) throw new ApiError('validation_failed', 'the request has invalid fields', plain)
    const parsed = NewSuppression.safeParse(body)
    if (!parsed.success) throw new ApiError('validation_failed', 'the request has invalid fields', toFieldIssues(parsed.error.issues))
    const { entry, created } = await addManualSuppression(deps, parsed.data)
    return c.json(entry, created ? 201 : 200)
  })

  app.delete('/:address', async (c) => {
    const removed = await removeManualSuppression(deps, c.req.param('address'), c.req.query('domain'), ['query', 'domain'])
    if (!removed) throw new ApiError('not_found', 'that address is not on the suppression list')
    return c.body(null, 204)
  })
  return app
}
