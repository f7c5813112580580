import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Config } from '../../lib/config/schema.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'
import { createUrlSigner } from '../../lib/signed-url.js'
import { urlSigningKey } from '../../lib/store/keys.js'
import { dovecotMailbox } from '../inbound/harness.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { mail, PDF } from './mail.js'

const RAW = mail(100, { from: 'Carol <carol@example.com>', to: 'support@example.org', subject: 'signed', attach: 'über.pdf' })
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const bytes = async (url: string) => {
  const res = await fetch(url)
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) }
}

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(async () => {
  await dovecot?.close()
})

// A local gateway (`npm start`) with the fs or sqlite store: the webhook's URLs point at the gateway, signed.
describe.each(['fs', 'sqlite'] as const)('signed gateway URLs in webhook payloads, %s store', (driver) => {
  let receiver: WebhookReceiver
  let gw: LocalGateway
  let dir: string
  let data: Record<string, any>
  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    dir = await mkdtemp(join(tmpdir(), `postern-signed-${driver}-`))
    const user = await dovecot.addUser(`signed-${driver}@example.test`)
    await dovecot.append(user, 'INBOX', [RAW])
    const config = Config.parse({
      port: 0,
      sandbox: { port: 0 },
      store: { driver, dir },
      logLevel: 'silent',
      mailboxes: [dovecotMailbox(dovecot, user, 'imap', { id: 'support', schedule: { everyMs: 1000 } })],
      webhooks: [{ id: 'app', url: receiver.url, secret: receiver.secret }],
      allowPrivateWebhookTargets: ['127.0.0.1/32'],
      inbound: { webhookTickMs: 100, inlineAttachmentMaxBytes: 0 },
    })
    gw = await startLocal(config)
    for (let i = 0; i < 200 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    expect(receiver.received).toHaveLength(1)
    data = receiver.received[0].payload!.data
  })
  afterAll(async () => {
    await gw?.close()
    await receiver?.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('rawUrl, messageUrl and attachment url are signed gateway URLs a plain fetch reads byte-exact', async () => {
    const id = data.message.id
    const signed = (path: string) => new RegExp(`^${gw.url}${path}\\?mailbox=support&expires=\\d{10}&signature=[A-Za-z0-9_-]{43}$`)
    expect(data.rawUrl).toMatch(signed(`/v1/inbound/${id}/raw`))
    expect(data.messageUrl).toMatch(signed(`/v1/inbound/${id}`))
    expect(data.message.attachments[0].url).toMatch(signed(`/v1/inbound/${id}/attachments/att-1`))
    const raw = await bytes(data.rawUrl)
    expect([raw.status, raw.type, sha(raw.body)]).toEqual([200, 'message/rfc822', sha(RAW)])
    const doc = await bytes(data.messageUrl)
    expect([doc.status, JSON.parse(doc.body.toString('utf8')).sha256]).toEqual([200, sha(RAW)])
    const att = await bytes(data.message.attachments[0].url)
    expect([att.status, att.type, att.body.equals(PDF)]).toEqual([200, 'application/pdf', true])
  })

  test('a changed signature, path or query, or an expired URL, is refused with 403', async () => {
    const refused = async (url: string) => {
      const res = await fetch(url)
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code]
    }
    const url = new URL(data.rawUrl)
    const sig = url.searchParams.get('signature')!
    const tampered = new URL(url)
    tampered.searchParams.set('signature', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1))
    expect(await refused(tampered.href)).toEqual([403, 'invalid_signature'])
    const otherPath = new URL(url)
    otherPath.pathname = otherPath.pathname.replace('/raw', '/attachments/att-1')
    expect(await refused(otherPath.href)).toEqual([403, 'invalid_signature'])
    const otherBox = new URL(url)
    otherBox.searchParams.set('mailbox', 'sales')
    expect(await refused(otherBox.href)).toEqual([403, 'invalid_signature'])
    const later = new URL(url)
    later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600))
    expect(await refused(later.href)).toEqual([403, 'invalid_signature'])
    // Signed with the gateway's own key an hour ago, for 60 s.
    const key = (await readFile(join(dir, ...urlSigningKey.split('/')), 'utf8')).trim()
    const past = createUrlSigner(
      Buffer.from(key, 'base64url'),
      () => gw.url,
      () => Date.now() - 3_600_000,
    )
    expect(await refused(past.sign(`${url.pathname}?mailbox=support`, 60))).toEqual([403, 'url_expired'])
    const fresh = createUrlSigner(
      Buffer.from(key, 'base64url'),
      () => gw.url,
      () => Date.now(),
    )
    expect((await bytes(fresh.sign(`${url.pathname}?mailbox=support`, 60))).status).toBe(200)
  })

  test('without a signature the routes need a key; a signature elsewhere is no key', async () => {
    const unsigned = new URL(data.rawUrl)
    unsigned.search = '?mailbox=support'
    expect((await fetch(unsigned)).status).toBe(401)
    expect((await fetch(`${gw.url}/v1/messages?expires=9999999999&signature=abc`)).status).toBe(401)
    expect((await stat(join(dir, ...urlSigningKey.split('/')))).mode & 0o777).toBe(0o600)
  })
})
