import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Webhook } from 'standardwebhooks'

/** One request that arrived, with the outcome of verifying its signature with the standardwebhooks library. */
export interface ReceivedWebhook {
  id: string
  headers: IncomingHttpHeaders
  body: string
  /** The verified, parsed payload; null when verification failed. */
  payload: { type: string; timestamp: string; data: Record<string, any> } | null
  verifyError: string | null
  /** Status this receiver answered. */
  status: number
}

/** How the receiver answers the next requests; each rule is used once, then the default (200) applies. */
export type Reply = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }

export interface WebhookReceiver {
  url: string
  secret: string
  received: ReceivedWebhook[]
  /** Queues replies for the next requests, in order. */
  reply(...replies: Reply[]): void
  /** Answers every later request after `ms` (a slow endpoint); 0 to stop. */
  setDelay(ms: number): void
  close(): Promise<void>
}

/**
 * A real HTTP server on 127.0.0.1:0 that verifies Standard Webhooks signatures with the `standardwebhooks`
 * package (not code of our own) and records every request. Unverifiable requests get 400.
 */
export async function startWebhookReceiver(secret = `whsec_${Buffer.from('postern-test-secret-0123456789ab').toString('base64')}`): Promise<WebhookReceiver> {
  const wh = new Webhook(secret)
  const received: ReceivedWebhook[] = []
  const queue: Reply[] = []
  let delayMs = 0
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let payload: ReceivedWebhook['payload'] = null
    let verifyError: string | null = null
    try {
      payload = wh.verify(body, req.headers as Record<string, string>) as ReceivedWebhook['payload']
    } catch (err) {
      verifyError = (err as Error).message
    }
    const rule: Reply = verifyError ? { status: 400, body: verifyError } : (queue.shift() ?? { status: 200, body: 'ok' })
    received.push({ id: String(req.headers['webhook-id']), headers: req.headers, body, payload, verifyError, status: rule.status })
    const wait = rule.delayMs ?? delayMs
    if (wait) await sleep(wait)
    if (!res.destroyed) res.writeHead(rule.status, { 'content-type': 'text/plain', ...rule.headers }).end(rule.body ?? '')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    secret,
    received,
    reply: (...r) => void queue.push(...r),
    setDelay: (ms) => void (delayMs = ms),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
