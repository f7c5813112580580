import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { EVENT_SCHEMAS } from '../../lib/events/schemas.js'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { parseMailbox } from '../../lib/send/address.js'
import { listSuppressions } from '../../lib/suppressions/suppression.js'
import { createWebhookDispatcher } from '../../lib/webhooks/dispatcher.js'
import { readTsv } from '../bounces/load.js'
import { CORPUS } from '../corpus.js'
import { harness, type Harness } from '../harness.js'
import { dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

const DIR = join(CORPUS, 'bounces')
const manifest = readTsv(readFileSync(join(DIR, 'MANIFEST.tsv'), 'utf8'))
const VERP = 'bounces+{id}@mail.example.com'
const sendable = (a: string) => !('code' in parseMailbox(a))

interface Case {
  file: string
  kind: string
  recipients: string[]
  hardSoft: string
  id: string
  messageId: string
  matchedBy: 'message-id' | 'verp'
  raw: Buffer
}

let dovecot: DovecotServer
let smtp: SmtpTestServer
let receiver: WebhookReceiver
let h: Harness
const cases: Case[] = []

beforeAll(async () => {
  dovecot = await startDovecot()
  smtp = await startSmtp()
  receiver = await startWebhookReceiver()
  const user = await dovecot.addUser('bounces@mail.example.com')
  h = await harness({
    smtp,
    clockStart: Date.now(),
    config: {
      returnPath: VERP,
      mailboxes: [dovecotMailbox(dovecot, user, 'imap', { id: 'bounces' }) as never],
      webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }],
    },
  })
  // One message sent per report, to the recipients the report names; then the report is rewritten to answer it:
  // the original's Message-ID replaced by ours, or (when the report carries nothing of the original) delivered to
  // our VERP return path.
  for (const row of manifest.filter((r) => r.kind !== 'auto-reply')) {
    const recipients = row.recipients ? row.recipients.split(',') : ['abuse-desk@example.org']
    if (!recipients.every(sendable)) continue
    const res = await h.call('POST', '/v1/messages', { from: 'ops@example.com', to: recipients, subject: `for ${row.file}`, text: 'hello' })
    expect(res.status).toBe(202)
    const { id, messageId } = res.json
    let text = readFileSync(join(DIR, row.file)).toString('latin1')
    const original = row.original_message_id
    if (original) text = text.split(original).join(messageId).split(original.slice(1, -1)).join(messageId.slice(1, -1))
    else text = `Delivered-To: ${VERP.replace('{id}', id.toLowerCase())}\r\n${text}`
    cases.push({
      file: row.file,
      kind: row.kind,
      recipients,
      hardSoft: row.hard_soft,
      id,
      messageId,
      matchedBy: original ? 'message-id' : 'verp',
      raw: Buffer.from(text, 'latin1'),
    })
  }
  expect(await h.runner.drain()).toBe(cases.length)
  const autoReplies = manifest.filter((r) => r.kind === 'auto-reply').map((r) => readFileSync(join(DIR, r.file)))
  await dovecot.append(user, 'INBOX', [...cases.map((c) => c.raw), ...autoReplies])
  const summary = await pollMailbox(h.deps, h.deps.config.mailboxes[0])
  expect(summary).toMatchObject({ stored: cases.length + autoReplies.length, failed: 0, error: null })
  await createWebhookDispatcher(h.deps).runAll()
}, 180_000)

afterAll(async () => {
  await h?.close()
  await Promise.all([dovecot?.close(), smtp?.close(), receiver?.close()])
})

const view = async (id: string) => (await h.call('GET', `/v1/messages/${id}`)).json
const eventsFor = (id: string, type: string) =>
  receiver.received.filter((w) => {
    if (w.payload?.type !== type || w.payload.data.id !== id) return false
    expect(EVENT_SCHEMAS[type as keyof typeof EVENT_SCHEMAS].safeParse(w.payload).error?.issues ?? []).toEqual([])
    return true
  })

describe('bounces and complaints from real MTAs, polled from a real mailbox, linked to what was sent', () => {
  test('every report but the one with an unsendable (quoted) recipient was used', () => {
    expect(cases.map((c) => c.file)).not.toContain('postfix__user-unknown-quoted-dotted-local-part.eml')
    expect(cases).toHaveLength(manifest.filter((r) => r.kind !== 'auto-reply').length - 1)
  })

  test('each bounce is recorded per recipient with its hard/soft type, once, and announced once', async () => {
    for (const c of cases.filter((c) => c.kind !== 'arf')) {
      const v = await view(c.id)
      for (const r of c.recipients) {
        expect([c.file, r, v.bounces[r]?.type, v.bounces[r]?.matchedBy]).toEqual([c.file, r, c.hardSoft, c.matchedBy])
      }
      // A soft bounce (a delay) leaves the message sent; hard bounces of every accepted recipient make it bounced.
      expect([c.file, v.status]).toEqual([c.file, c.hardSoft === 'hard' ? 'bounced' : 'sent'])
      const hooks = eventsFor(c.id, 'message.bounced')
      expect([c.file, hooks.map((w) => w.payload!.data.recipients[0]).sort()]).toEqual([c.file, [...c.recipients].sort()])
      expect(hooks.every((w) => w.verifyError === null && w.payload!.data.bounce.type === c.hardSoft)).toBe(true)
    }
  })

  test('hard bounces and complaints (not auth-failure ones) suppress the address; soft bounces do not', async () => {
    const { items } = await listSuppressions(h.deps, { scope: 'example.com', limit: 100 })
    const lower = (a: string) => a.replace(/@(.*)$/, (_m, d: string) => `@${d.toLowerCase()}`)
    // An address named by several reports (kijitora@example.com bounced soft in one, hard in another) is suppressed
    // when any of them suppresses it.
    const expected = new Map<string, string>()
    for (const c of cases) {
      const reason = c.kind === 'arf' ? (c.file.startsWith('netease__arf-auth-failure') ? null : 'complaint') : c.hardSoft === 'hard' ? 'hard_bounce' : null
      for (const r of c.recipients) if (reason && !expected.has(lower(r))) expected.set(lower(r), reason)
    }
    expect(new Map(items.map((s) => [s.address, s.reason]))).toEqual(expected)
    expect(expected.size).toBeGreaterThan(10)
  })

  test('complaints are announced per recipient and leave the status as it was', async () => {
    for (const c of cases.filter((c) => c.kind === 'arf')) {
      const v = await view(c.id)
      expect([c.file, v.status, Object.keys(v.complaints).sort()]).toEqual([c.file, 'sent', [...c.recipients].sort()])
      expect([c.file, eventsFor(c.id, 'message.complained').length]).toEqual([c.file, c.recipients.length])
    }
  })

  test('the inbound documents say what each report was linked to; auto-replies are no reports', async () => {
    const docs = await Promise.all(
      (await h.store.list('inbound/bounces/messages/'))
        .filter((k) => k.endsWith('/message.json'))
        .map(async (k) => JSON.parse((await h.store.get(k))!.body.toString())),
    )
    const linked = docs.filter((d) => d.report?.linked).map((d) => d.report.linked.id)
    expect(linked.sort()).toEqual(cases.map((c) => c.id).sort())
    expect(docs.filter((d) => d.report === null)).toHaveLength(manifest.filter((r) => r.kind === 'auto-reply').length)
  })

  test('the same report again, even with a byte changed, records and announces nothing new', async () => {
    const before = receiver.received.length
    const user = { user: 'bounces@mail.example.com', password: 'secret' }
    const again = cases.slice(0, 5).map((c) => Buffer.concat([Buffer.from('X-Redelivered: yes\r\n'), c.raw]))
    await dovecot.append(user, 'INBOX', again)
    expect(await pollMailbox(h.deps, h.deps.config.mailboxes[0])).toMatchObject({ stored: 5, error: null })
    await createWebhookDispatcher(h.deps).runAll()
    expect(receiver.received.length - before).toBe(5) // five message.received, no bounce or complaint event
    expect(receiver.received.slice(before).every((w) => w.payload?.type === 'message.received')).toBe(true)
  })

  test('a later send to a hard-bounced address leaves it out: the message fails as all_recipients_suppressed', async () => {
    const hard = cases.find((c) => c.kind !== 'arf' && c.hardSoft === 'hard' && c.recipients.length === 1)!
    const res = await h.call('POST', '/v1/messages', { from: 'ops@example.com', to: hard.recipients, subject: 'again', text: 'x' })
    const received = smtp.received.length
    await h.runner.drain()
    const v = await view(res.json.id)
    expect(v).toMatchObject({ status: 'failed', reason: 'all_recipients_suppressed', suppressed: [{ recipient: hard.recipients[0], reason: 'hard_bounce' }] })
    expect(smtp.received.length).toBe(received)
  })
})
