import type { ErrorCode } from '../errors.js'

/** What each error code means to a caller, for the API reference (`/docs`). Every code of lib/errors.ts has one. */
export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  bad_request: 'The HTTP request itself is malformed.',
  invalid_json: 'The body is not JSON, or nests deeper than allowed.',
  validation_failed: 'Fields or query parameters are invalid: `issues` lists each with its `path` and `code`.',
  missing_api_key: 'No `Authorization: Bearer <key>` header.',
  invalid_api_key: 'The key is not one of the configured keys.',
  insufficient_scope: 'The key lacks the scope the route needs (`read` for reading, `admin` for changes).',
  csrf_failed: 'A /ops dashboard form was posted without its session CSRF token or from another origin (docs/ops.md).',
  sender_not_allowed: "The From address is not in the key's `allowedFrom`.",
  not_found: 'No such route, message or object (or not visible to this key).',
  method_not_allowed: 'The route exists but not with this method.',
  idempotency_key_reused: 'The Idempotency-Key was used with another body within 24 h.',
  idempotency_key_in_use: 'A request with this Idempotency-Key is still being processed: retry shortly.',
  conflict: 'The object is not in a state that allows this (a sent message cannot be canceled).',
  request_timeout: 'The request was not received in time.',
  payload_too_large: 'The body or the decoded message is over the limit.',
  unsupported_media_type: 'The body is not `application/json`.',
  rate_limited: "Over the key's rate limit: wait `Retry-After` seconds.",
  headers_too_large: 'The request headers are too large.',
  invalid_signature: 'A signed URL (docs/api.md "Signed URLs") whose signature does not match its path and expiry.',
  url_expired: 'A signed URL past its expiry: ask for the document again (a newer webhook payload) for a fresh URL.',
  mailbox_unreachable: 'Reconcile could not connect to or log in to the mailbox now: the error says why.',
  internal_error: 'A fault in Postern; the request may be retried.',
  store_unavailable: 'The store did not answer; nothing was accepted: retry with the same Idempotency-Key.',
}
