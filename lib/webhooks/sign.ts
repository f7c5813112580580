import { Webhook } from 'standardwebhooks'

/** The three Standard Webhooks headers of one signed request. */
export interface SignatureHeaders {
  'webhook-id': string
  /** Unix time in seconds. */
  'webhook-timestamp': string
  /** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
  'webhook-signature': string
}

/**
 * Signs `body` per the Standard Webhooks spec (symmetric `v1` scheme) with a `whsec_` secret, via the
 * `standardwebhooks` package. Throws when the secret is not valid base64.
 */
export function signWebhook(secret: string, id: string, at: Date, body: string): SignatureHeaders {
  const signature = new Webhook(secret).sign(id, at, body)
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature }
}

/**
 * The same signature under the header names Resend (through Svix) sends: `svix-id`, `svix-timestamp`,
 * `svix-signature`. Resend's SDK (`resend.webhooks.verify`) and the `svix` library check them with the same
 * HMAC-SHA256 over `id.timestamp.body` as Standard Webhooks.
 */
export function signResendWebhook(secret: string, id: string, at: Date, body: string): Record<'svix-id' | 'svix-timestamp' | 'svix-signature', string> {
  const h = signWebhook(secret, id, at, body)
  return { 'svix-id': h['webhook-id'], 'svix-timestamp': h['webhook-timestamp'], 'svix-signature': h['webhook-signature'] }
}
