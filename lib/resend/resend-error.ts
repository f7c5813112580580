/**
 * Error names Resend's API answers, with the status it gives each, as listed at
 * https://resend.com/docs/api-reference/errors (and in the `resend` SDK's RESEND_ERROR_CODE_KEY type).
 * Only the names Postern can produce are here.
 */
export const RESEND_ERRORS = {
  invalid_idempotency_key: 400,
  validation_error: 400,
  missing_api_key: 401,
  invalid_api_key: 403,
  not_found: 404,
  method_not_allowed: 405,
  invalid_idempotent_request: 409,
  concurrent_idempotent_requests: 409,
  invalid_attachment: 422,
  invalid_from_address: 422,
  missing_required_field: 422,
  rate_limit_exceeded: 429,
  internal_server_error: 500,
  application_error: 500,
} as const

export type ResendErrorName = keyof typeof RESEND_ERRORS

/** The body of every error on the Resend-compatible routes: `{ statusCode, name, message }`. */
export interface ResendErrorBody {
  statusCode: number
  name: ResendErrorName
  message: string
}

/**
 * An error only the Resend-compatible routes raise (an unsupported route, a bad Idempotency-Key). Errors of the
 * shared send pipeline stay ApiErrors and are translated when rendered (lib/resend/to-resend-error.ts).
 * `statusCode` defaults to the status RESEND_ERRORS gives the name.
 */
export class ResendError extends Error {
  readonly statusCode: number
  constructor(
    readonly code: ResendErrorName,
    message: string,
    statusCode?: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ResendError'
    this.statusCode = statusCode ?? RESEND_ERRORS[code]
  }
}
