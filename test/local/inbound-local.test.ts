import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { Config } from '../../lib/config/schema.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'
import { CORPUS, dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

// npm start with a mailbox and a webhook configured: it polls on schedule and the app gets a signed event.
let dovecot: DovecotServer
let receiver: WebhookReceiver
let gw: LocalGateway
let dir: string
beforeAll(async () => {
  dovecot = await startDovecot()
  receiver = await startWebhookReceiver()
  dir = await mkdtemp(join(tmpdir(), 'postern-local-in-'))
})
afterAll(async () => {
  await gw?.close()
  await receiver.close()
  await dovecot.close()
  await rm(dir, { recursive: true, force: true })
})

test('a message in the mailbox becomes stored objects and one verified message.received webhook', async () => {
  const user = await dovecot.addUser('local-start@example.test')
  const raw = await readFile(join(CORPUS, 'mailparser__minimal-plain-no-msgid-no-mime.eml'))
  await dovecot.append(user, 'INBOX', [raw])
  const config = Config.parse({
    port: 0,
    sandbox: { port: 0 },
    store: { driver: 'fs', dir },
    logLevel: 'silent',
    mailboxes: [dovecotMailbox(dovecot, user, 'imap', { schedule: { everyMs: 1000 } })],
    webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }],
    allowPrivateWebhookTargets: ['127.0.0.1/32'],
    inbound: { webhookTickMs: 100 },
  })
  gw = await startLocal(config)
  for (let i = 0; i < 200 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
  expect(receiver.received).toHaveLength(1)
  const hook = receiver.received[0]
  expect(hook.verifyError).toBeNull()
  expect(hook.payload!.type).toBe('message.received')
  expect(hook.payload!.data.message).toMatchObject({ subject: 'test', from: [{ address: 'andris@kreata.ee' }], messageId: null })
  const stored = await gw.deps.store.list('inbound/')
  const emlKey = stored.find((k) => k.endsWith('.eml'))!
  expect((await gw.deps.store.get(emlKey))!.body.toString('latin1').replace(/\r\n/g, '\n')).toBe(raw.toString('latin1').replace(/\r\n/g, '\n'))
})
