import { z } from 'zod'

/** One webhook endpoint. Filled in by the inbound work; kept open here so configs validate. */
export const WebhookEndpoint = z.looseObject({ url: z.url() })
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>
