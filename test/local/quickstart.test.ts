import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadConfig } from '../../lib/config/load.js'
import { startLocal, type LocalGateway } from '../../lib/local/start-local.js'

// The README's quickstart, over real HTTP: no config file, no relay, the sandbox SMTP server takes the mail.
let dir: string
let gw: LocalGateway
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-local-'))
  const config = loadConfig({ PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }, dir)
  gw = await startLocal({ ...config, sandbox: { port: 0 } })
})
afterAll(async () => {
  await gw.close()
  await rm(dir, { recursive: true, force: true })
})

describe('npm start with no configuration', () => {
  test('keeps its objects in the SQLite database in the data folder', async () => {
    expect(gw.deps.config.store).toEqual({ driver: 'sqlite', dir })
    expect((await stat(join(dir, 'postern.db'))).isFile()).toBe(true)
  })

  test('makes a development key, kept in the data folder for the next start', async () => {
    expect(gw.generatedApiKey).toMatch(/^pk_local_[A-Za-z0-9_-]{32}$/)
    expect(await readFile(join(dir, 'local', 'api-key.txt'), 'utf8')).toBe(`${gw.generatedApiKey}\n`)
    expect((await stat(join(dir, 'local', 'api-key.txt'))).mode & 0o777).toBe(0o600)
  })

  test('the README curl sends a message through the sandbox relay (AUTH + STARTTLS) and it ends as sent', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.generatedApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'you@example.com', to: 'friend@example.com', subject: 'Hello', text: 'Sent through Postern' }),
    })
    expect(res.status).toBe(202)
    const { id } = (await res.json()) as { id: string }
    let view: { status: string; attempts: { response: string }[] } = { status: 'queued', attempts: [] }
    for (let i = 0; i < 100 && view.status === 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      view = (await (await fetch(`${gw.url}/v1/messages/${id}`, { headers: { authorization: `Bearer ${gw.generatedApiKey}` } })).json()) as typeof view
    }
    expect(view.status).toBe('sent')
    const kept = /Kept in the sandbox as (sandbox\/\S+\.eml)/.exec(view.attempts[0].response)![1]
    const raw = await readFile(join(dir, ...kept.split('/')), 'utf8')
    expect(raw).toMatch(/^From: you@example\.com\r\nTo: friend@example\.com\r\nSubject: Hello\r\n/)
    expect(raw.endsWith('\r\n\r\nSent through Postern\r\n')).toBe(true)
    const envelope = JSON.parse(await readFile(join(dir, ...kept.replace(/\.eml$/, '.envelope.json').split('/')), 'utf8'))
    expect(envelope).toEqual({ mailFrom: 'you@example.com', rcptTo: ['friend@example.com'] })
    // The message itself is in the database, not in files.
    expect(await gw.deps.store.list(`messages/${id}/`)).toEqual([
      `messages/${id}/attempt-0001.json`,
      `messages/${id}/request.json`,
      `messages/${id}/state.json`,
    ])
    await expect(stat(join(dir, 'messages'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('a second gateway on the same port fails with a message that says what to do', async () => {
    const config = loadConfig({ PORT: String(gw.port), POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }, dir)
    await expect(startLocal({ ...config, sandbox: { port: 0 } })).rejects.toThrow(
      `port ${gw.port} on 127.0.0.1 is already in use: stop the other process or choose another port (PORT=3100 npm start)`,
    )
  })

  test('serves the OpenAPI document built from the request schema, and a readable reference page', async () => {
    const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as any
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual([
      '/v1/events',
      '/v1/messages',
      '/v1/messages/batch',
      '/emails',
      '/emails/batch',
      '/emails/{id}',
      '/v1/inbound',
      '/v1/inbound/{id}',
      '/v1/inbound/{id}/raw',
      '/v1/inbound/{id}/attachments/{attachmentId}',
      '/v1/messages/{id}',
      '/v1/webhooks/deliveries',
      '/v1/webhooks/deliveries/{id}',
      '/v1/webhooks/deliveries/{id}/retry',
      '/v1/webhooks/replay',
      '/v1/webhooks/endpoints',
      '/v1/webhooks/endpoints/{id}/enable',
      '/v1/mailboxes',
      '/v1/mailboxes/{id}/reconcile',
    ])
    expect(Object.keys(doc.components.schemas.ResendEmail.properties)).toEqual(
      expect.arrayContaining(['from', 'to', 'reply_to', 'scheduled_at', 'attachments', 'tags']),
    )
    const send = doc.components.schemas.SendRequest
    expect(send.required).toEqual(['from', 'to', 'subject'])
    expect(send.additionalProperties).toBe(false)
    expect(Object.keys(send.properties)).toEqual([
      'from',
      'to',
      'cc',
      'bcc',
      'replyTo',
      'subject',
      'text',
      'html',
      'attachments',
      'headers',
      'tags',
      'metadata',
      'sendAt',
    ])
    const page = await fetch(`${gw.url}/docs`)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('<code>/v1/messages/batch</code>')
    expect(html).toContain('idempotency_key_reused')
  })
})
