import { Hono } from 'hono'
import { z } from 'zod'
import type { Deps } from '../../deps.js'
import { listMessages } from '../../logs/list-messages.js'
import { MESSAGE_STATUSES } from '../../logs/message-index.js'
import type { AppEnv } from '../app-env.js'
import { pageQuery, listQuery, parseQuery, queryString } from '../query.js'

/** The query of `GET /v1/messages` (docs/api.md "Listing messages"). */
export const messageListQuery = (now: () => number) =>
  z.strictObject({
    status: listQuery(MESSAGE_STATUSES, 'Any of these statuses, comma-separated.').optional(),
    to: queryString('An envelope recipient (to, cc or bcc); case-insensitive.', 'carol@example.com').optional(),
    from: queryString('The sender address; case-insensitive.', 'alerts@example.com').optional(),
    tag: queryString('A tag the message was sent with; case-insensitive.', 'welcome').optional(),
    ...pageQuery(now, 'Accepted'),
  })

/**
 * `GET /v1/messages`: messages newest first with filters. A key with `read` sees every key's messages; a key with
 * only `send` its own.
 */
export function listMessageRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  const schema = messageListQuery(() => deps.clock.now())
  app.get('/', async (c) => {
    const q = parseQuery(c, schema)
    const filters = { status: q.status, to: q.to, from: q.from, tag: q.tag, sinceMs: q.since, untilMs: q.until }
    return c.json(await listMessages(deps, c.get('apiKey'), filters, { limit: q.limit, cursor: q.cursor }))
  })
  return app
}
