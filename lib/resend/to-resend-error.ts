import { ApiError, type ErrorCode, type FieldIssue } from '../errors.js'
import { formatPath } from './field-paths.js'
import { RESEND_ERRORS, ResendError, type ResendErrorBody, type ResendErrorName } from './resend-error.js'

/**
 * Resend's name for each Postern error code, answered with Resend's status for that name (an unknown key is 403 there,
 * 401 in Postern). Where Resend has no status of its own for the case, Postern's is kept (413, 415, 503) under the
 * closest name, so the client still sees what happened.
 */
const BY_CODE: Record<Exclude<ErrorCode, 'validation_failed'>, { name: ResendErrorName; statusCode?: number }> = {
  bad_request: { name: 'validation_error' },
  invalid_json: { name: 'validation_error' },
  request_timeout: { name: 'validation_error', statusCode: 408 },
  headers_too_large: { name: 'validation_error', statusCode: 431 },
  missing_api_key: { name: 'missing_api_key' },
  invalid_api_key: { name: 'invalid_api_key' },
  // Resend answers 403 validation_error when the from domain is not one the account may send from.
  sender_not_allowed: { name: 'validation_error', statusCode: 403 },
  insufficient_scope: { name: 'invalid_api_key' },
  // Signed URLs (lib/signed-url.ts) are not served on the Resend routes; listed for completeness.
  invalid_signature: { name: 'invalid_api_key' },
  url_expired: { name: 'invalid_api_key' },
  // Only the /ops dashboard's forms answer it; never a Resend-compatible route.
  csrf_failed: { name: 'validation_error', statusCode: 403 },
  not_found: { name: 'not_found' },
  method_not_allowed: { name: 'method_not_allowed' },
  idempotency_key_reused: { name: 'invalid_idempotent_request' },
  idempotency_key_in_use: { name: 'concurrent_idempotent_requests' },
  conflict: { name: 'validation_error', statusCode: 409 },
  payload_too_large: { name: 'validation_error', statusCode: 413 },
  unsupported_media_type: { name: 'validation_error', statusCode: 415 },
  rate_limited: { name: 'rate_limit_exceeded' },
  internal_error: { name: 'internal_server_error' },
  store_unavailable: { name: 'application_error', statusCode: 503 },
  mailbox_unreachable: { name: 'application_error', statusCode: 502 },
}

const issueText = (i: FieldIssue) => (i.path.length ? `\`${formatPath(i.path)}\`: ${i.message}` : i.message)

/**
 * Picks Resend's one name for a set of field issues, by priority: `missing_required_field` when a required field is
 * absent, else `invalid_attachment` when every issue is in `attachments`, else `invalid_from_address` when every
 * issue is the `from` address, else `validation_error`. The message names every problem, the missing fields first
 * ("Missing `subject` field. `from`: must be an address like name@example.com"), so one answer is enough to fix
 * the request.
 */
function forIssues(issues: FieldIssue[], fallback: string): { name: ResendErrorName; message: string } {
  if (issues.length === 0) return { name: 'validation_error', message: fallback }
  // In a batch the path starts with the email's index; the field is the first name after it.
  const field = (i: FieldIssue) => i.path.find((p) => typeof p === 'string')
  const isMissing = (i: FieldIssue) => i.code === 'missing_field' || i.code === 'missing_body'
  const missingText = (i: FieldIssue) => {
    if (i.code !== 'missing_body') return `Missing \`${formatPath(i.path)}\` field.`
    const at = i.path.slice(0, -1)
    return `Missing \`${formatPath([...at, 'html'])}\` or \`${formatPath([...at, 'text'])}\` field.`
  }
  const missing = issues.filter(isMissing)
  const others = issues.filter((i) => !isMissing(i))
  const message = [...missing.map(missingText), ...(others.length ? [others.map(issueText).join('; ')] : [])].join(' ')
  if (missing.length) return { name: 'missing_required_field', message }
  if (issues.every((i) => field(i) === 'attachments')) return { name: 'invalid_attachment', message }
  if (issues.every((i) => field(i) === 'from' && i.code !== 'sender_not_allowed')) return { name: 'invalid_from_address', message }
  return { name: 'validation_error', message }
}

/**
 * Any error raised while serving a Resend-compatible route, as Resend's `{ statusCode, name, message }` with the
 * headers it must carry (`Retry-After`, `WWW-Authenticate`, rate limit headers). Anything unexpected is a 500
 * `internal_server_error` that reveals nothing of the cause.
 */
export function toResendError(err: unknown): { body: ResendErrorBody; headers: Record<string, string> } {
  if (err instanceof ResendError) return { body: { statusCode: err.statusCode, name: err.code, message: err.message }, headers: err.headers }
  if (err instanceof ApiError) {
    // The shared Idempotency-Key check (lib/http/routes/messages.ts) is Resend's own error, not a field's.
    if (err.issues.some((i) => i.code === 'invalid_idempotency_key')) {
      return {
        body: {
          statusCode: RESEND_ERRORS.invalid_idempotency_key,
          name: 'invalid_idempotency_key',
          message: 'The Idempotency-Key must be 1 to 256 printable ASCII characters.',
        },
        headers: err.headers,
      }
    }
    if (err.code === 'validation_failed') {
      const { name, message } = forIssues(err.issues, err.message)
      return { body: { statusCode: RESEND_ERRORS[name], name, message }, headers: err.headers }
    }
    const { name, statusCode } = BY_CODE[err.code]
    const message = err.code === 'sender_not_allowed' && err.issues.length ? `${err.message} (${issueText(err.issues[0])})` : err.message
    return { body: { statusCode: statusCode ?? RESEND_ERRORS[name], name, message }, headers: err.headers }
  }
  return { body: { statusCode: 500, name: 'internal_server_error', message: 'internal error; the request may be retried' }, headers: {} }
}
