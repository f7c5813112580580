import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, onTestFinished, test } from 'vitest'
import { READ_KEY, sendVia, startGateway } from '../cli/gateway.js'
import { smtpReply, startSmtp } from '../servers/smtp.js'
import { runDocQuery } from './duckdb-queries.js'

test('npm start over sqlite (the default) writes the log as files in the data folder: /v1/events and DuckDB read them', async () => {
  const smtp = await startSmtp({ rcpt: (a) => (a.startsWith('bob@') ? smtpReply(550, '5.1.1 unknown user') : undefined) })
  onTestFinished(() => smtp.close())
  const gw = await startGateway(smtp, { store: { driver: 'sqlite' }, logs: { flushEvents: 1000, flushMs: 3_600_000 } })
  onTestFinished(() => gw.close())
  const bob = await sendVia(gw, 'bob@example.org')
  const api = async () =>
    (await fetch(`${gw.url}/v1/messages/${bob}`, { headers: { authorization: `Bearer ${READ_KEY}` } }).then((r) => r.json())) as { status: string }
  for (let i = 0; (await api()).status !== 'failed'; i++) {
    if (i > 200) throw new Error('not failed in time')
    await new Promise((r) => setTimeout(r, 50))
  }
  await gw.deps.eventLog.flush()
  const page = await fetch(`${gw.url}/v1/events`, { headers: { authorization: `Bearer ${READ_KEY}` } }).then((r) => r.json())
  expect(page.data.map((e: { type: string; id: string; smtpCode: number }) => [e.type, e.id, e.smtpCode])).toEqual([['message.failed', bob, 550]])
  // Nothing of the log is in the database; the segments are plain files DuckDB can read.
  expect(await gw.deps.store.list('logs/')).toEqual([])
  const day = new Date().toISOString().slice(0, 10)
  expect(await readdir(join(gw.dir, 'logs/events'))).toEqual([`dt=${day}`])
  // Stopping flushes what is buffered: an event logged after the last flush is in the files once stopped.
  const carol = await sendVia(gw, 'carol@example.org')
  for (let i = 0; smtp.received.length < 1; i++) {
    if (i > 200) throw new Error('not sent in time')
    await new Promise((r) => setTimeout(r, 50))
  }
  await gw.stop()
  expect(await runDocQuery(gw.dir, 'sent-to', { recipient: 'carol@example.org' })).toMatchObject([{ id: carol, status: 'sent', attempt: 1, smtpCode: 250 }])
  expect(await runDocQuery(gw.dir, 'sent-to', { recipient: 'bob@example.org' })).toMatchObject([
    { id: bob, status: 'failed', attempt: 1, smtpCode: 550, enhancedStatus: '5.1.1', reason: 'rejected' },
  ])
})
