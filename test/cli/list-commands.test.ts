import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { smtpReply, startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { READ_KEY, runCli, SEND_KEY, sendVia, startGateway } from './gateway.js'

const ticket = (n: number) =>
  Buffer.from(`From: Dana <dana@example.net>\r\nTo: support@example.test\r\nSubject: ticket ${n}\r\nMessage-ID: <cli-t${n}@example.net>\r\n\r\nHelp ${n}\r\n`)

let dovecot: DovecotServer
let smtp: SmtpTestServer
let crm: WebhookReceiver
let gw: Awaited<ReturnType<typeof startGateway>>
const ids: Record<string, string> = {}
const cli = (...args: string[]) => runCli([...args, '--url', gw.url], { POSTERN_KEY: READ_KEY })
const jsonLines = (stdout: string) => stdout.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)

const waitFor = async (what: () => Promise<boolean>, ms = 20_000) => {
  for (const end = Date.now() + ms; !(await what()); await new Promise((r) => setTimeout(r, 50))) if (Date.now() > end) throw new Error('timed out')
}

beforeAll(async () => {
  dovecot = await startDovecot()
  const user = await dovecot.addUser('support@example.test')
  // INTERNALDATEs an hour apart: the list is newest first by receipt.
  await dovecot.append(user, 'INBOX', [ticket(1)], new Date(Date.now() - 2 * 3_600_000))
  await dovecot.append(user, 'INBOX', [ticket(2)], new Date(Date.now() - 3_600_000))
  smtp = await startSmtp({ rcpt: (a) => (a.startsWith('bob@') ? smtpReply(550, '5.1.1 unknown user') : undefined) })
  crm = await startWebhookReceiver()
  crm.reply(...Array.from({ length: 5 }, () => ({ status: 503, body: 'down for maintenance' })))
  gw = await startGateway(smtp, {
    mailboxes: [dovecotMailbox(dovecot, user, 'imap', { id: 'support' }) as never],
    webhooks: [{ id: 'crm', url: crm.url, secret: crm.secret, eventTypes: ['message.failed'] }],
    allowPrivateWebhookTargets: ['127.0.0.1/32'],
  })
  await runCli(['--help']) // builds dist/cli.js once
  ids.carol = await sendVia(gw, 'carol@example.com', { tags: ['orders'] })
  ids.bob = await sendVia(gw, 'bob@example.org', { tags: ['orders'] })
  ids.dan = await sendVia(gw, 'dan@example.com')
  const api = (path: string) => fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${READ_KEY}` } }).then((r) => r.json())
  await waitFor(async () => (await api('/v1/messages?status=sent,failed')).data.length === 3)
  await waitFor(async () => (await api('/v1/inbound?mailbox=support')).data.length === 2)
  await waitFor(async () => crm.received.length >= 1)
  await waitFor(async () => (await api('/v1/webhooks/deliveries?status=failed')).data.length === 1)
}, 120_000)

afterAll(async () => {
  await gw?.close()
  await Promise.all([smtp?.close(), crm?.close(), dovecot?.close()])
})

describe('npx postern messages / inbound / webhooks against a running gateway', () => {
  test('messages --status failed --since 1h --to <address> --json: the one message, as the API lists it', async () => {
    const r = await cli('messages', '--status', 'failed', '--since', '1h', '--to', 'bob@example.org', '--json')
    expect([r.code, r.stderr]).toEqual([0, ''])
    const [m, ...rest] = jsonLines(r.stdout)
    expect(rest).toEqual([])
    expect(m).toMatchObject({ id: ids.bob, status: 'failed', reason: 'rejected', to: ['bob@example.org'], tags: ['orders'], attempts: 1 })
    expect((await cli('messages', '--status', 'failed', '--to', 'carol@example.com', '--json')).stdout).toBe('')
  })

  test('messages as a table, newest first; --limit pages with --cursor', async () => {
    const r = await cli('messages', '--tag', 'orders')
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^CREATED +ID +STATUS +FROM +TO +SUBJECT +ATTEMPTS +REASON$/)
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(1, 7))).toEqual([
      [ids.bob, 'failed', 'shop@example.com', 'bob@example.org', 'to bob@example.org', '1'],
      [ids.carol, 'sent', 'shop@example.com', 'carol@example.com', 'to carol@example.com', '1'],
    ])
    const first = await cli('messages', '--limit', '1', '--json')
    expect(jsonLines(first.stdout).map((m) => m.id)).toEqual([ids.dan])
    const cursor = /^more: add --cursor (\S+)\n$/.exec(first.stderr)![1]
    const next = await cli('messages', '--limit', '2', '--cursor', cursor, '--json')
    expect(jsonLines(next.stdout).map((m) => m.id)).toEqual([ids.bob, ids.carol])
  })

  test('inbound --mailbox --subject: the received message; as a table with from and subject', async () => {
    const r = await cli('inbound', '--mailbox', 'support', '--subject', 'ticket 2', '--json')
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(jsonLines(r.stdout)).toMatchObject([{ mailbox: 'support', subject: 'ticket 2', from: ['dana@example.net'] }])
    const table = await cli('inbound', '--since', '1d', '--from', 'dana@example.net')
    expect(table.stdout.split('\n').map((l) => l.split(/ {2,}/).slice(2, 5))).toEqual([
      ['MAILBOX', 'FROM', 'SUBJECT'],
      ['support', 'dana@example.net', 'ticket 2'],
      ['support', 'dana@example.net', 'ticket 1'],
    ])
  })

  test('webhooks --status failed --endpoint: the failing delivery with its last answer', async () => {
    const r = await cli('webhooks', '--status', 'failed', '--endpoint', 'crm', '--type', 'message.failed', '--since', '1h')
    expect([r.code, r.stderr]).toEqual([0, ''])
    const [head, row, ...rest] = r.stdout.split('\n')
    expect(rest).toEqual([])
    expect(head.split(/ {2,}/)).toEqual(['EVENT TIME', 'ID', 'ENDPOINT', 'TYPE', 'STATUS', 'ATTEMPTS', 'LAST ANSWER'])
    expect(row.split(/ {2,}/).slice(2)).toEqual(['crm', 'message.failed', 'failed', '1', 'HTTP 503 down for maintenance'])
    expect((await cli('webhooks', '--status', 'succeeded', '--json')).stdout).toBe('')
  })

  test('refusals: a bad filter prints the API code and field; a send-only key is refused; both exit 1', async () => {
    const bad = await cli('messages', '--status', 'lost')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^error: validation_failed: .+\n {2}query\.status: .+\n$/)
    const scope = await runCli(['inbound', '--url', gw.url, '--key', SEND_KEY])
    expect([scope.code, scope.stdout]).toEqual([1, ''])
    expect(scope.stderr).toMatch(/^error: insufficient_scope: /)
  })
})
