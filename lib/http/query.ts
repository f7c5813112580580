import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { ApiError } from '../errors.js'
import { toFieldIssues } from '../field-issues.js'
import { parseTimeFilter } from '../logs/time-filter.js'

/**
 * Parses a request's query string with `schema` (a strict object: an unknown parameter is an error).
 * @throws ApiError validation_failed with each bad parameter's path (`["query","status"]`).
 */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const res = schema.safeParse(c.req.query())
  if (!res.success) throw new ApiError('validation_failed', 'the query string is not valid', toFieldIssues(res.error.issues, ['query']))
  return res.data
}

/** A filter that appears once; a repeated parameter would otherwise be dropped silently. */
export const queryString = (description: string, example: string) => z.string().min(1).max(320).meta({ description, example })

/** `since`/`until`: ISO 8601, a date, or a time ago (lib/logs/time-filter.ts); parsed against `now()` (ms). */
export const timeQuery = (now: () => number, description: string) =>
  z
    .string()
    .transform((v, ctx) => {
      const ms = parseTimeFilter(v, now())
      if (ms === null)
        ctx.addIssue({
          code: 'custom',
          params: { code: 'invalid_time' },
          message: 'ISO 8601 (2026-12-02T09:00:00Z), a date (2026-12-02) or a time ago (15m, 1h, 7d)',
        })
      return ms ?? 0
    })
    .meta({ description, example: '1h' })

/** `limit`: 1 to 100, default 50. */
export const limitQuery = z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'Page size, 1 to 100.', example: 50 })

/** `cursor`: the `nextCursor` of the previous page. */
export const cursorQuery = z.string().max(500).meta({ description: 'The `nextCursor` of the previous page, unchanged.' })

/** A comma-separated list of values from `values`; an unknown value is an issue at the parameter itself. */
export const listQuery = <T extends string>(values: readonly T[], description: string) =>
  z
    .string()
    .transform((v, ctx) => {
      const items = v.split(',')
      const bad = items.filter((i) => !(values as readonly string[]).includes(i))
      if (bad.length) ctx.addIssue({ code: 'custom', params: { code: 'invalid_value' }, message: `not one of ${values.join(', ')}: ${bad.join(', ')}` })
      return items as T[]
    })
    .meta({ description: `${description} One or more of: ${values.join(', ')}.`, example: values.slice(-2).join(',') })

/** The query parameters every list shares: `since`, `until` (of `what`: "Accepted", "Received"), `limit`, `cursor`. */
export const pageQuery = (now: () => number, what: string) => ({
  since: timeQuery(now, `${what} at or after: ISO 8601, a date, or a time ago (\`1h\`).`).optional(),
  until: timeQuery(now, `${what} at or before: ISO 8601, a date, or a time ago.`).optional(),
  limit: limitQuery,
  cursor: cursorQuery.optional(),
})

/**
 * Refuses a query parameter given more than once (`status=failed&status=sent`): `c.req.query()` would keep only the
 * first, silently answering half the question. Lists are comma-separated (`status=failed,sent`).
 * @throws ApiError validation_failed with a `repeated` issue at each such parameter.
 */
export const rejectRepeatedParams: MiddlewareHandler = async (c, next) => {
  if (!c.req.url.includes('?')) return next()
  const repeated = Object.entries(c.req.queries()).filter(([, values]) => values.length > 1)
  if (repeated.length)
    throw new ApiError(
      'validation_failed',
      'the query string is not valid',
      repeated.map(([name]) => ({ path: ['query', name], code: 'repeated', message: 'give each parameter once; list several values with commas' })),
    )
  await next()
}
