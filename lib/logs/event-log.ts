import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Clock } from '../deps.js'
import { eventLogKeys } from '../store/keys.js'
import type { ObjectStore } from '../store/object-store.js'
import type { EventLogLine } from './event-log-line.js'

/** When the buffer is written out: at `flushEvents` lines, or `flushMs` after the first unwritten line. */
export interface EventLogSettings {
  enabled: boolean
  flushEvents: number
  flushMs: number
}

/**
 * The event log writer (docs/logs.md): lines are buffered and written as one segment object per partition per flush,
 * never one object per event and never an object rewritten (S3 has no append). The log is derived from the records
 * (outbox, message state, delivery records): a crash loses at most the unflushed buffer, never a written segment,
 * since each segment is written whole by one put.
 */
export interface EventLog {
  /** Adds a line, or a line still being read (a received message's summary); kept in the order of the calls. */
  append(line: EventLogLine | Promise<EventLogLine>): void
  /** Writes what is buffered now (one segment per day in it). Resolves when written; failures are logged, lines dropped. */
  flush(): Promise<void>
  /** Lines waiting to be written. */
  readonly buffered: number
}

/** A log that keeps nothing (`logs.enabled: false`). */
export const disabledEventLog: EventLog = { append() {}, flush: async () => {}, buffered: 0 }

/** The writers of one process tell their segments apart by this and a count. */
const writerToken = () => randomBytes(4).toString('hex')

/** Groups lines by the UTC date of their time (`YYYY-MM-DD`), in order. */
function byDay(lines: EventLogLine[]): Map<string, EventLogLine[]> {
  const days = new Map<string, EventLogLine[]>()
  for (const l of lines) {
    const day = l.time.slice(0, 10)
    days.set(day, [...(days.get(day) ?? []), l])
  }
  return days
}

/** Serialises lines as newline-delimited JSON, one line per event, each ending in `\n`. */
export const toNdjson = (lines: EventLogLine[]) => lines.map((l) => JSON.stringify(l) + '\n').join('')

/** A writer over `store` (any driver). The flush timer does not keep the process alive; call `flush()` before exit. */
export function createEventLog(deps: { store: ObjectStore; clock: Clock; logger: Logger }, settings: EventLogSettings): EventLog {
  if (!settings.enabled) return disabledEventLog
  const writer = writerToken()
  let segments = 0
  let pending: (EventLogLine | Promise<EventLogLine>)[] = []
  let timer: NodeJS.Timeout | null = null
  let writing: Promise<void> = Promise.resolve()

  async function write(batch: (EventLogLine | Promise<EventLogLine>)[]) {
    const lines = (await Promise.allSettled(batch)).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    const now = deps.clock.now()
    for (const [day, dayLines] of byDay(lines)) {
      const key = eventLogKeys.segment(day, now, writer, ++segments)
      try {
        await deps.store.put(key, toNdjson(dayLines), { contentType: 'application/x-ndjson', ifNoneMatch: '*' })
      } catch (err) {
        deps.logger.error({ err, key, lines: dayLines.length }, 'an event log segment could not be written; its lines are lost (the records stay)')
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer)
    timer = null
    const batch = pending
    pending = []
    // One write after another, so segments appear in the order their lines were logged.
    writing = writing.then(() => (batch.length ? write(batch) : undefined))
    return writing
  }

  return {
    append(line) {
      pending.push(line)
      if (pending.length >= settings.flushEvents) return void flush()
      if (!timer) {
        timer = setTimeout(() => void flush(), settings.flushMs)
        timer.unref()
      }
    },
    flush,
    get buffered() {
      return pending.length
    },
  }
}
