import { Hono } from 'hono'
import { z } from 'zod'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { toFieldIssues } from '../../field-issues.js'
import { LOG_LINE_TYPES } from '../../logs/event-log-line.js'
import { decodeLogCursor, encodeLogCursor, readLogPage } from '../../logs/event-log-read.js'
import { requireScope } from '../../scopes.js'
import type { AppEnv } from '../app-env.js'

/** The query of `GET /v1/events` (docs/api.md "Events"). */
export const EventsQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional().meta({
    description: 'Only events at or after this time (ISO 8601). Without it and without `cursor`: from the first event logged.',
    example: '2026-12-02T14:00:00Z',
  }),
  types: z
    .string()
    .optional()
    .meta({ description: `Comma-separated event types to keep: ${LOG_LINE_TYPES.join(', ')}.`, example: 'message.failed,webhook.attempt' }),
  limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'At most this many events (1 to 100).', example: 50 }),
  cursor: z
    .string()
    .max(2048)
    .optional()
    .meta({ description: "The previous page's `cursor`: the page after it. `since` and `types` still apply.", example: 'eyJrIjoiIiwibiI6bnVsbH0' }),
})
export type EventsQuery = z.infer<typeof EventsQuery>

const invalid = (path: string, code: string, message: string) =>
  new ApiError('validation_failed', 'the query has invalid parameters', [{ path: ['query', path], code, message }])

/** `/v1/events` (`read` scope): pages of the event log, for `npx postern tail` and scripts. */
export function eventRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  app.get('/', async (c) => {
    requireScope(c.get('apiKey'), 'read', 'read the event log')
    const parsed = EventsQuery.safeParse(c.req.query())
    if (!parsed.success) throw new ApiError('validation_failed', 'the query has invalid parameters', toFieldIssues(parsed.error.issues, ['query']))
    const q = parsed.data
    const types = q.types?.split(',').map((t) => t.trim())
    const unknown = types?.find((t) => !(LOG_LINE_TYPES as readonly string[]).includes(t))
    if (unknown !== undefined) throw invalid('types', 'invalid_value', `unknown event type ${JSON.stringify(unknown)}; one of ${LOG_LINE_TYPES.join(', ')}`)
    const after = q.cursor === undefined ? undefined : decodeLogCursor(q.cursor)
    if (after === null) throw invalid('cursor', 'invalid_cursor', 'not a cursor of this API: pass the `cursor` of a previous page')
    const page = await readLogPage(deps.logStore, {
      sinceMs: q.since === undefined ? undefined : Date.parse(q.since),
      types: types && new Set(types),
      limit: q.limit,
      after,
    })
    return c.json({ data: page.data, cursor: encodeLogCursor(page.cursor), hasMore: page.hasMore })
  })
  return app
}
