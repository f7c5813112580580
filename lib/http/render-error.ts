import type { Context } from 'hono'
import { ApiError } from '../errors.js'
import { isStoreUnavailable } from '../store/object-store.js'
import type { Deps } from '../deps.js'
import { HTTP_STATUS } from './status.js'

/** The one place an error becomes a response: `{ error: { code, message, issues } }` with its status and headers. */
export function renderError(c: Context, err: unknown): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v)
    return c.json({ error: { code: err.code, message: err.message, issues: err.issues } }, HTTP_STATUS[err.code])
  }
  return c.json({ error: { code: 'internal_error', message: 'internal error; the request may be retried', issues: [] } }, 500)
}

/**
 * A store that failed under a request (isStoreUnavailable: S3 5xx after the SDK's retries, a reset connection, a
 * full disk) is not a bug of the gateway: the client gets 503 store_unavailable with Retry-After and may retry.
 * Any other error is returned as it is.
 */
function storeFailureAsApiError(err: unknown): unknown {
  if (err instanceof ApiError || !isStoreUnavailable(err)) return err
  return new ApiError('store_unavailable', 'the store is unavailable; retry later', [], { 'Retry-After': '1' })
}

/**
 * What an app's onError renders for `err` (storeFailureAsApiError applied), after logging at error level what is not
 * a refusal of the request (`refusal(err)` false): a store failure, or a bug.
 */
export function errorToRender(logger: Deps['logger'], path: string, err: unknown, refusal: (err: unknown) => boolean): unknown {
  const shown = storeFailureAsApiError(err)
  if (!refusal(err)) logger.error({ err, path }, shown === err ? 'unhandled error' : 'the store failed under a request')
  return shown
}
