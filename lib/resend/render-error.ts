import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { toResendError } from './to-resend-error.js'

/** Renders any error on a Resend-compatible route as Resend does: `{ statusCode, name, message }` with that status. */
export function renderResendError(c: Context, err: unknown): Response {
  const { body, headers } = toResendError(err)
  for (const [k, v] of Object.entries(headers)) c.header(k, v)
  return c.json(body, body.statusCode as ContentfulStatusCode)
}
