import { hashApiKey } from '../../lib/config/api-key-hash.js'
import type { Deps } from '../../lib/deps.js'
import { recordEvent } from '../../lib/events/outbox.js'
import type { EventType } from '../../lib/events/event-types.js'
import { createApp } from '../../lib/http/app.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { manualClock, testDeps } from '../inbound/harness.js'
export { storeDrivers as DRIVERS } from '../store/drivers.js'
export { countingStore } from '../../bench/procs/counting-store.js'

export const READ_KEY = 'ops-read-key-0123456789'
export const ADMIN_KEY = 'ops-admin-key-0123456789'
export const SEND_KEY = 'ops-send-key-0123456789'
export const API_KEYS = [
  { id: 'reader', hash: hashApiKey(READ_KEY), scopes: ['read'] },
  { id: 'admin', hash: hashApiKey(ADMIN_KEY), scopes: ['admin'] },
  { id: 'sender', hash: hashApiKey(SEND_KEY), scopes: ['send'] },
]

/** Deps and the HTTP app over `store`, with the ops keys, a hand-moved clock and `config` (webhooks, mailboxes). */
export function opsApp(store: ObjectStore, config: Record<string, unknown>) {
  // Near the real time, on a whole second: receivers check Standard Webhooks timestamps against their own clock.
  const clock = manualClock(Math.floor(Date.now() / 1000) * 1000)
  const deps: Deps = testDeps({ apiKeys: API_KEYS, ...config }, store, { clock, random: () => 0.5 })
  const app = createApp(deps)
  async function call(method: string, path: string, key = READ_KEY, body?: unknown) {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let json: any = text
    try {
      json = JSON.parse(text)
    } catch {}
    return { status: res.status, json }
  }
  return { deps, clock, call }
}

/** Records an outbound event of message `messageId` at the clock's time, as the send path would. */
export async function recordOutbound(deps: Deps, eventId: string, type: EventType, messageId: string) {
  return recordEvent(
    deps,
    { sequence: 0 },
    { id: eventId, type, source: `message:${messageId}`, createdAt: new Date(deps.clock.now()).toISOString(), data: { messageId } },
  )
}
