import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { EventLogLine } from '../../lib/logs/event-log-line.js'
import { freePort } from '../servers/dovecot.js'
import { smtpReply, startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { READ_KEY, runCli, SEND_KEY, sendVia, spawnCli, startGateway } from './gateway.js'

let smtp: SmtpTestServer
let gw: Awaited<ReturnType<typeof startGateway>>
beforeAll(async () => {
  smtp = await startSmtp({ rcpt: (a) => (a.startsWith('bob@') ? smtpReply(550, '5.1.1 unknown user') : undefined) })
  gw = await startGateway(smtp)
  // bin/postern.js builds dist/cli.js when a source is newer: once here, so no test waits on the build.
  await runCli(['--help'])
}, 120_000)
afterAll(async () => {
  await gw?.close()
  await smtp?.close()
})

const waitFor = async (what: () => boolean, ms = 20_000) => {
  for (const end = Date.now() + ms; !what(); await new Promise((r) => setTimeout(r, 25))) if (Date.now() > end) throw new Error('timed out')
}

describe('npx postern tail against a running gateway', () => {
  test('--json prints each event as it is logged, only from now on, and Ctrl-C exits 0', async () => {
    const before = await sendVia(gw, 'early@example.org')
    await waitFor(() => smtp.received.length === 1)
    await new Promise((r) => setTimeout(r, 200)) // its event is flushed before tail starts
    const tail = spawnCli(['tail', '--json', '--interval', '50', '--url', gw.url], { POSTERN_KEY: READ_KEY })
    // Said on stderr once the first page is read: from then on nothing is missed.
    await waitFor(() => /^following http:\/\/127\.0\.0\.1:\d+ from \d{4}-\d\d-\d\dT[\d:.]+Z; Ctrl-C stops\n$/.test(tail.stderr()))
    const carol = await sendVia(gw, 'carol@example.com')
    const bob = await sendVia(gw, 'bob@example.org')
    await waitFor(() => tail.lines.length >= 2)
    tail.child.kill('SIGINT')
    expect(await tail.exited).toBe(0)
    const events = tail.lines.map((l) => JSON.parse(l) as EventLogLine)
    expect(events.map((e) => [e.type, e.id, e.recipients, e.smtpCode, e.enhancedStatus]).sort()).toEqual(
      [
        ['message.failed', bob, ['bob@example.org'], 550, '5.1.1'],
        ['message.sent', carol, ['carol@example.com'], 250, events.find((e) => e.id === carol)!.enhancedStatus],
      ].sort(),
    )
    expect(events.some((e) => e.id === before)).toBe(false)
  })

  test('as lines for people, --since 1h includes what came before, --types filters', async () => {
    const dan = await sendVia(gw, 'dan@example.org')
    await waitFor(() => smtp.received.some((m) => m.rcptTo.includes('dan@example.org')))
    const tail = spawnCli(['tail', '--since', '1h', '--types', 'message.sent', '--interval', '50', '--url', gw.url, '--key', READ_KEY])
    await waitFor(() => tail.lines.some((l) => l.includes(dan)))
    tail.child.kill('SIGINT')
    expect(await tail.exited).toBe(0)
    const line = tail.lines.find((l) => l.includes(dan))!
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z  message\\.sent {6}  sent {5}  ${dan}  dan@example\\.org  250  `))
    expect(tail.lines.every((l) => l.includes('  message.sent  '))).toBe(true)
  })

  test('an API refusal prints its code and message and exits 1; so does a bad --since', async () => {
    const scope = await runCli(['tail', '--url', gw.url, '--key', SEND_KEY])
    expect([scope.code, scope.stdout]).toEqual([1, ''])
    expect(scope.stderr).toBe('error: insufficient_scope: this API key (app) needs the "read" scope to read the event log\n')
    const bad = await runCli(['tail', '--url', gw.url, '--key', 'wrong-key-0123456789'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^error: invalid_api_key: /)
    const types = await runCli(['tail', '--url', gw.url, '--key', READ_KEY, '--types', 'message.lost'])
    expect(types.stderr).toBe(
      'error: validation_failed: the query has invalid parameters\n  query.types: unknown event type "message.lost"; one of message.received, mailbox.reset, message.sent, message.deferred, message.failed, message.bounced, message.complained, message.canceled, webhook.attempt\n',
    )
    const since = await runCli(['tail', '--url', gw.url, '--key', READ_KEY, '--since', 'yesterday'])
    expect([since.code, since.stderr]).toEqual([1, '"yesterday" is not a time: use 30s, 15m, 1h, 2d, 1w (ago) or an ISO 8601 date or time\n'])
    const nokey = await runCli(['tail', '--url', gw.url], { POSTERN_KEY: '' })
    expect([nokey.code, nokey.stderr]).toEqual([1, 'no API key: pass --key or set POSTERN_KEY (a key with the read scope)\n'])
    const closed = await freePort()
    const down = await runCli(['tail', '--url', `http://127.0.0.1:${closed}`, '--key', READ_KEY])
    expect([down.code, down.stderr]).toEqual([1, `error: unreachable: cannot reach http://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}\n`])
  })
})
