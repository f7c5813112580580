import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * Every error code the HTTP API answers, with its status. One table, one renderer (lib/http/render-error.ts),
 * one body shape: `{ "error": { "code", "message", "issues": [{ "path", "code", "message" }] } }`.
 */
export const ERROR_CODES = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  missing_api_key: 401,
  invalid_api_key: 401,
  sender_not_allowed: 403,
  not_found: 404,
  method_not_allowed: 405,
  idempotency_key_reused: 409,
  idempotency_key_in_use: 409,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  internal_error: 500,
  store_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>

export type ErrorCode = keyof typeof ERROR_CODES

/** One bad field: where it is in the request (`['to', 2, 'address']`), a machine-readable code, and why. */
export interface FieldIssue {
  path: (string | number)[]
  code: string
  message: string
}

/** An error answered to the client with a code from ERROR_CODES. Never carries secrets or whole inputs. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = ERROR_CODES[code]
  }
}
