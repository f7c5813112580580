import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { describe, expect, onTestFinished, test } from 'vitest'
import { createEventLog } from '../../lib/logs/event-log.js'
import { lineFromWebhookAttempt, LOG_COLUMNS, type EventLogLine } from '../../lib/logs/event-log-line.js'
import { createFsStore } from '../../lib/store/fs-store.js'
import { eventLogKeys } from '../../lib/store/keys.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { manualClock } from '../harness.js'
import { storeDrivers } from '../store/drivers.js'

const line = (time: string, n: number): EventLogLine =>
  lineFromWebhookAttempt({
    endpoint: 'crm',
    event: { id: `msg_${n}`, type: 'message.sent', source: 'message:01J', sequence: n },
    attempt: 1,
    at: time,
    httpStatus: 200,
    durationMs: 12,
    reason: null,
    responseHead: 'ok',
    status: 'succeeded',
  })

const silent = pino({ level: 'silent' })

describe.each(storeDrivers)('event log writer on $name', (driver) => {
  async function setup(flushEvents: number, flushMs = 3_600_000) {
    const { store, close } = await driver.setup()
    onTestFinished(close)
    const clock = manualClock(Date.parse('2026-12-02T10:00:05.000Z'))
    return { store, clock, log: createEventLog({ store, clock, logger: silent }, { enabled: true, flushEvents, flushMs }) }
  }

  test('writes one segment per flushEvents lines, whole, in the order the lines were appended', async () => {
    const { store, log } = await setup(3)
    log.append(line('2026-12-02T10:00:00.000Z', 1))
    // A line still being read (a received message's summary) keeps its place.
    log.append(new Promise((r) => setTimeout(() => r(line('2026-12-02T10:00:01.000Z', 2)), 20)))
    expect(await store.list(eventLogKeys.prefix)).toEqual([])
    expect(log.buffered).toBe(2)
    log.append(line('2026-12-02T10:00:02.000Z', 3))
    expect(log.buffered).toBe(0)
    await log.flush()
    const keys = await store.list(eventLogKeys.prefix)
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(/^logs\/events\/dt=2026-12-02\/2026-12-02T10-00-05-000Z_[0-9a-f]{8}_000001\.ndjson$/)
    const text = (await store.get(keys[0]))!.body.toString('utf8')
    expect(text).toBe([1, 2, 3].map((n) => JSON.stringify(line(`2026-12-02T10:00:0${n - 1}.000Z`, n)) + '\n').join(''))
    // Every line has every column, in the documented order.
    expect(Object.keys(JSON.parse(text.split('\n')[0]))).toEqual(LOG_COLUMNS)
  })

  test('a flush across midnight writes one segment per date, each in its dt= partition; an empty flush writes none', async () => {
    const { store, clock, log } = await setup(100)
    log.append(line('2026-12-01T23:59:59.900Z', 1))
    log.append(line('2026-12-02T00:00:00.100Z', 2))
    clock.set(Date.parse('2026-12-02T00:00:01.000Z'))
    await log.flush()
    await log.flush()
    const keys = await store.list(eventLogKeys.prefix)
    expect(keys.map((k) => k.replace(/_[0-9a-f]{8}_/, '_W_'))).toEqual([
      'logs/events/dt=2026-12-01/2026-12-02T00-00-01-000Z_W_000001.ndjson',
      'logs/events/dt=2026-12-02/2026-12-02T00-00-01-000Z_W_000002.ndjson',
    ])
    expect(keys.map((k) => eventLogKeys.parse(k))).toEqual([{ day: '2026-12-01' }, { day: '2026-12-02' }])
    expect((await store.get(keys[0]))!.body.toString('utf8')).toBe(JSON.stringify(line('2026-12-01T23:59:59.900Z', 1)) + '\n')
  })

  test('flushMs after the first unwritten line, the buffer is written without a call', async () => {
    const { store, log } = await setup(100, 30)
    log.append(line('2026-12-02T10:00:00.000Z', 1))
    log.append(line('2026-12-02T10:00:00.001Z', 2))
    await expect.poll(() => store.list(eventLogKeys.prefix), { timeout: 5000 }).toHaveLength(1)
    expect(log.buffered).toBe(0)
  })
})

test('a segment that cannot be written is logged and dropped; the next flush writes on', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-log-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  const inner = createFsStore(dir)
  let fail = true
  const store: ObjectStore = { ...inner, put: (k, b, o) => (fail ? Promise.reject(new Error('disk full')) : inner.put(k, b, o)) }
  const errors: string[] = []
  const logger = pino({ level: 'error' }, { write: (s: string) => void errors.push(JSON.parse(s).msg) })
  const log = createEventLog({ store, clock: manualClock(), logger }, { enabled: true, flushEvents: 100, flushMs: 3_600_000 })
  log.append(line('2026-12-02T10:00:00.000Z', 1))
  await log.flush()
  expect(errors).toEqual(['an event log segment could not be written; its lines are lost (the records stay)'])
  fail = false
  log.append(line('2026-12-02T10:00:01.000Z', 2))
  await log.flush()
  const keys = await inner.list(eventLogKeys.prefix)
  expect(keys).toHaveLength(1)
  expect((await inner.get(keys[0]))!.body.toString('utf8')).toBe(JSON.stringify(line('2026-12-02T10:00:01.000Z', 2)) + '\n')
})
