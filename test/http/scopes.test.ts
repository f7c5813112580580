import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { hasScope } from '../../lib/scopes.js'
import { harness, TEST_KEY, type Harness } from '../harness.js'
import { startSmtp, type SmtpTestServer } from '../servers/smtp.js'

const SEND = 'send-only-key-abcdef'
const SEND2 = 'send-only-key-2-abcdef'
const READ = 'read-key-abcdef'
const ADMIN = 'admin-key-abcdef'
let smtp: SmtpTestServer
let h: Harness
beforeAll(async () => {
  smtp = await startSmtp()
  h = await harness({
    smtp,
    config: {
      apiKeys: [
        { id: 'legacy', hash: hashApiKey(TEST_KEY) },
        { id: 'send', hash: hashApiKey(SEND), scopes: ['send'] },
        { id: 'send2', hash: hashApiKey(SEND2), scopes: ['send'] },
        { id: 'read', hash: hashApiKey(READ), scopes: ['read'] },
        { id: 'admin', hash: hashApiKey(ADMIN), scopes: ['admin'] },
      ],
    },
  })
})
afterAll(async () => {
  await h.close()
  await smtp.close()
})

const as = (key: string) => ({ authorization: `Bearer ${key}` })
const MSG = { from: 'ops@example.com', to: 'a@example.org', subject: 's', text: 't', sendAt: '2026-11-30T00:00:00Z' }

describe('key scopes (lib/scopes.ts)', () => {
  test('hasScope: admin implies read; a key without scopes keeps its old rights', () => {
    expect(SCOPE_TABLE.map(([k]) => ['send', 'read', 'admin'].map((s) => hasScope(k, s as 'send')))).toEqual(SCOPE_TABLE.map(([, v]) => v))
  })

  test('only keys with send may send; read and admin keys get 403 insufficient_scope and nothing is stored', async () => {
    for (const key of [READ, ADMIN]) {
      const res = await h.call('POST', '/v1/messages', MSG, as(key))
      expect([res.status, res.json.error.code]).toEqual([403, 'insufficient_scope'])
      const resend = await h.call('POST', '/emails', { from: MSG.from, to: MSG.to, subject: 's', text: 't' }, as(key))
      expect(resend.status).toBe(403)
    }
    expect(await h.store.list('messages/')).toEqual([])
  })

  test('a send key reads and cancels its own messages only; read sees all; admin cancels any', async () => {
    const mine = await h.call('POST', '/v1/messages', MSG, as(SEND))
    expect(mine.status).toBe(202)
    const id = mine.json.id
    expect((await h.call('GET', `/v1/messages/${id}`, undefined, as(SEND))).status).toBe(200)
    expect((await h.call('GET', `/v1/messages/${id}`, undefined, as(SEND2))).status).toBe(404)
    expect((await h.call('GET', `/v1/messages/${id}`, undefined, as(READ))).status).toBe(200)
    const byReader = await h.call('DELETE', `/v1/messages/${id}`, undefined, as(READ))
    expect([byReader.status, byReader.json.error.code]).toEqual([403, 'insufficient_scope'])
    const byAdmin = await h.call('DELETE', `/v1/messages/${id}`, undefined, as(ADMIN))
    expect([byAdmin.status, byAdmin.json.status]).toEqual([200, 'canceled'])
  })

  test('suppressions: read lists, admin changes, send does neither', async () => {
    const entry = { address: 'gone@example.org', domain: 'example.com' }
    expect((await h.call('GET', '/v1/suppressions', undefined, as(SEND))).json.error.code).toBe('insufficient_scope')
    expect((await h.call('POST', '/v1/suppressions', entry, as(READ))).json.error.code).toBe('insufficient_scope')
    expect((await h.call('POST', '/v1/suppressions', entry, as(ADMIN))).status).toBe(201)
    const listed = await h.call('GET', '/v1/suppressions?domain=example.com', undefined, as(READ))
    expect(listed.json.data.map((e: { address: string }) => e.address)).toEqual(['gone@example.org'])
    expect((await h.call('DELETE', '/v1/suppressions/gone@example.org?domain=example.com', undefined, as(READ))).status).toBe(403)
    expect((await h.call('DELETE', '/v1/suppressions/gone@example.org?domain=example.com', undefined, as(ADMIN))).status).toBe(204)
  })
})

const SCOPE_TABLE: [Parameters<typeof hasScope>[0], boolean[]][] = [
  [{}, [true, true, true]],
  [{ allowedFrom: ['a@example.com'] }, [true, false, false]],
  [{ scopes: ['send'] }, [true, false, false]],
  [{ scopes: ['read'] }, [false, true, false]],
  [{ scopes: ['admin'] }, [false, true, true]],
  [{ scopes: ['send', 'read'] }, [true, true, false]],
]
