/**
 * Request errors of the domain: every code a caller of Postern's API can be answered with. The domain (send,
 * inbound, events, suppressions) throws ApiError with one of these codes; the HTTP layer maps each code to its status
 * (lib/http/status.ts) and renders one body shape: `{ "error": { "code", "message", "issues": [...] } }`.
 */
export const ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'validation_failed',
  'missing_api_key',
  'invalid_api_key',
  'insufficient_scope',
  'csrf_failed',
  'sender_not_allowed',
  'invalid_signature',
  'url_expired',
  'not_found',
  'method_not_allowed',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'conflict',
  'request_timeout',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'headers_too_large',
  'internal_error',
  'mailbox_unreachable',
  'store_unavailable',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * Most issues one answer lists. A body with 10,000 unknown keys is one bad request, not 10,000 lines to build,
 * compare and render (that held the event loop for over 100 ms); the first MAX_ISSUES say what is wrong.
 */
export const MAX_ISSUES = 100

/** One bad field: where it is in the request (`['to', 2, 'address']`), a machine-readable code, and why. */
export interface FieldIssue {
  path: (string | number)[]
  code: string
  message: string
}

/**
 * A request refused with a code from ERROR_CODES. `headers` are response hints that go with it (`Retry-After` in
 * seconds, `WWW-Authenticate`). Never carries secrets or whole inputs.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}
