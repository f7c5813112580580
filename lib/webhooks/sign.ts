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
