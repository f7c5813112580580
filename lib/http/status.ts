import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorCode } from '../errors.js'

/** The HTTP status (RFC 9110 §15) each domain error code is answered with. */
export const HTTP_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  missing_api_key: 401,
  invalid_api_key: 401,
  insufficient_scope: 403,
  csrf_failed: 403,
  sender_not_allowed: 403,
  invalid_signature: 403,
  url_expired: 403,
  not_found: 404,
  method_not_allowed: 405,
  idempotency_key_reused: 409,
  idempotency_key_in_use: 409,
  conflict: 409,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  internal_error: 500,
  mailbox_unreachable: 502,
  store_unavailable: 503,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>
