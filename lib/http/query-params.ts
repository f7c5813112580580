import { z } from 'zod'
import { ApiError } from '../errors.js'
import { toFieldIssues } from '../field-issues.js'

/** A page size: 1 to 100, 50 when absent. */
export const Limit = z.coerce.number().int().min(1).max(100).default(50)

/** An ISO 8601 date-time with a UTC offset (`2026-12-02T10:00:00Z`), as ms since the epoch. */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))

/**
 * Parses a request's query string with `schema` (strict: an unknown parameter is an error, so a misspelt filter
 * never silently lists everything).
 * @throws ApiError validation_failed with the path `['query', name]` of every bad parameter.
 */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query)
  if (!parsed.success) throw new ApiError('validation_failed', 'the query has invalid parameters', toFieldIssues(parsed.error.issues, ['query']))
  return parsed.data
}
