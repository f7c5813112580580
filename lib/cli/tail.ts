import { setTimeout as sleep } from 'node:timers/promises'
import type { EventLogLine } from '../logs/event-log-line.js'
import { apiGet, type ApiTarget } from './api-client.js'
import { cellText } from './table.js'

/** An answer of `GET /v1/events`. */
export interface EventsPage {
  data: EventLogLine[]
  cursor: string
  hasMore: boolean
}

/** One event as one line for people: time, type, status, then what matters for its kind. */
export function formatEvent(e: EventLogLine): string {
  const rest =
    e.type === 'webhook.attempt'
      ? [e.endpoint, e.eventType, `attempt ${e.attempt}`, e.httpStatus ?? 'no answer', `${e.durationMs} ms`, e.reason]
      : e.type === 'message.received' || e.type === 'mailbox.reset'
        ? [e.mailbox, e.folder, e.from, e.subject, e.id]
        : [e.id, e.recipients, e.smtpCode, e.enhancedStatus, e.response, e.reason]
  return [e.time, e.type.padEnd(18), e.status.padEnd(9), ...rest.filter((v) => v !== null && v !== undefined).map(cellText)].join('  ')
}

export interface TailOptions {
  target: ApiTarget
  /** ISO 8601: events at or after it (the first page); default: only what is logged from now on. */
  since: string
  types?: string[]
  json: boolean
  /** Wait between polls once caught up, in ms. */
  intervalMs: number
  /** Abort to stop (Ctrl-C): tail then resolves. */
  signal: AbortSignal
  write(line: string): void
  /** Told once, after the first page was read: from then on nothing logged is missed. */
  following?(): void
}

/**
 * Follows `GET /v1/events`: prints each event as it is logged (a line for people, or JSON with `json`), keeping the
 * API's cursor, and polls every `intervalMs` once caught up. Resolves when `signal` aborts.
 * @throws CliApiError when the API refuses or cannot be reached.
 */
export async function tail(o: TailOptions): Promise<void> {
  let cursor: string | undefined
  try {
    while (!o.signal.aborted) {
      const page = await apiGet<EventsPage>(o.target, 'v1/events', { since: o.since, types: o.types, cursor, limit: 100 }, o.signal)
      for (const e of page.data) o.write(o.json ? JSON.stringify(e) : formatEvent(e))
      if (cursor === undefined) o.following?.()
      cursor = page.cursor
      if (!page.hasMore) await sleep(o.intervalMs, undefined, { signal: o.signal })
    }
  } catch (err) {
    if (!o.signal.aborted) throw err
  }
}
