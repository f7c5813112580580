import type { Context } from 'hono'
import { ApiError } from '../errors.js'
import { HTTP_STATUS } from './status.js'

/** The one place an error becomes a response: `{ error: { code, message, issues } }` with its status and headers. */
export function renderError(c: Context, err: unknown): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v)
    return c.json({ error: { code: err.code, message: err.message, issues: err.issues } }, HTTP_STATUS[err.code])
  }
  return c.json({ error: { code: 'internal_error', message: 'internal error; the request may be retried', issues: [] } }, 500)
}
