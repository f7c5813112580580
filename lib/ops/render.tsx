import type { Context } from 'hono'
import type { z } from 'zod'
import { ApiError } from '../errors.js'
import { toFieldIssues } from '../field-issues.js'
import type { Child } from 'hono/jsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { Page, type NAV } from './layout.js'
import type { OpsEnv } from './security.js'

/** Answers a signed-in page: the shell with the nav, the key's id and the sign-out form around `body`. */
export function render(c: Context<OpsEnv>, title: string, section: (typeof NAV)[number][0] | undefined, body: Child, status: ContentfulStatusCode = 200) {
  const user = c.get('apiKey') ? { keyId: c.get('apiKey').id, csrf: c.get('csrf') } : undefined
  return c.html(
    <Page title={title} nonce={c.get('nonce')} section={section} user={user}>
      {body}
    </Page>,
    status,
  )
}

/** The query's non-empty values, trimmed, by name. */
export function queryOf(c: Context<OpsEnv>, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, c.req.query(n)?.trim() || undefined]))
}

/** A 303 back to a page with a message for its Flash (`done` or `error`). */
export function back(c: Context<OpsEnv>, path: string, flash: { done?: string; error?: string }) {
  const q = new URLSearchParams(Object.entries(flash).filter((e): e is [string, string] => !!e[1]))
  return c.redirect(`${path}${path.includes('?') ? '&' : '?'}${q}`, 303)
}

/**
 * The page's filters parsed with the API's own query schema (the same names, values and errors), empty form fields
 * left out; the cursor and limit pass through the same checks.
 * @throws ApiError validation_failed with each bad parameter's path, as the API answers.
 */
export function parseFilters<S extends z.ZodType>(c: Context<OpsEnv>, schema: S): z.infer<S> {
  // `done`/`error` are the page's own flash messages (back()), not filters.
  const query = Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => v.trim() !== '' && k !== 'done' && k !== 'error'))
  const res = schema.safeParse(query)
  if (!res.success) throw new ApiError('validation_failed', 'the filters are not valid', toFieldIssues(res.error.issues, ['query']))
  return res.data
}
