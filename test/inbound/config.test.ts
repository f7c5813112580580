import { describe, expect, test } from 'vitest'
import { Mailbox } from '../../lib/config/mailbox.js'
import { WebhookEndpoint } from '../../lib/config/webhook-endpoint.js'

const base = { id: 'support', protocol: 'imap', host: 'imap.example.com', user: 'u', password: 'p' }
const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.error?.issues.map((i) => [i.path.join('.'), i.message])

describe('mailbox config', () => {
  test('defaults: implicit TLS on 993, INBOX, every 5 minutes, backfill all, nothing after store', () => {
    expect(Mailbox.parse(base)).toMatchObject({
      port: 993,
      tls: 'implicit',
      folders: ['INBOX'],
      schedule: { everyMs: 300_000 },
      backfill: 'all',
      afterStore: 'nothing',
    })
    expect(Mailbox.parse({ ...base, protocol: 'pop3' })).toMatchObject({ port: 995, deleteAfterStore: false })
    expect(Mailbox.parse({ ...base, tls: 'starttls' }).port).toBe(143)
  })

  test('schedules: rate expressions or everyMs', () => {
    expect(Mailbox.parse({ ...base, schedule: 'rate(1 minute)' }).schedule).toEqual({ everyMs: 60_000 })
    expect(Mailbox.parse({ ...base, schedule: 'rate(2 hours)' }).schedule).toEqual({ everyMs: 7_200_000 })
    expect(Mailbox.parse({ ...base, schedule: { everyMs: 5000 } }).schedule).toEqual({ everyMs: 5000 })
    expect(issues(Mailbox.safeParse({ ...base, schedule: 'every 5 minutes' }))?.[0][0]).toBe('schedule')
  })

  test('tls none only for loopback hosts', () => {
    expect(Mailbox.parse({ ...base, host: '127.0.0.1', tls: 'none' }).port).toBe(143)
    expect(Mailbox.parse({ ...base, host: 'localhost', tls: 'none' }).tls).toBe('none')
    expect(issues(Mailbox.safeParse({ ...base, tls: 'none' }))).toEqual([
      ['tls', 'tls "none" is only allowed for loopback hosts (localhost, 127.0.0.1, ::1), not imap.example.com: the password would cross the network in clear'],
    ])
  })

  test('refuses what cannot work: POP3 STLS, POP3 dated backfill, move without a folder, unsafe ids', () => {
    expect(issues(Mailbox.safeParse({ ...base, protocol: 'pop3', tls: 'starttls', backfill: { since: '2026-01-01' } }))).toEqual([
      ['tls', 'POP3 STLS is not supported; use tls "implicit" (port 995)'],
      ['backfill', 'POP3 has no arrival dates: backfill must be "all" or "none"'],
    ])
    expect(issues(Mailbox.safeParse({ ...base, afterStore: 'move' }))).toEqual([
      ['moveTo', 'afterStore "move" needs moveTo, the folder to move stored messages to'],
    ])
    expect(issues(Mailbox.safeParse({ ...base, id: '../x' }))?.[0][0]).toBe('id')
    expect(issues(Mailbox.safeParse({ ...base, extra: 1 }))?.[0][1]).toMatch(/extra/)
  })
})

describe('webhook endpoint config', () => {
  const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`
  test('defaults and secret format', () => {
    expect(WebhookEndpoint.parse({ id: 'app', url: 'https://app.example.com/hook', secret })).toMatchObject({
      eventTypes: [
        'message.received',
        'mailbox.reset',
        'message.sent',
        'message.deferred',
        'message.failed',
        'message.bounced',
        'message.complained',
        'message.canceled',
      ],
      format: 'standard',
      timeoutMs: 15_000,
      retry: { maxAttempts: 14, baseDelayMs: 30_000, maxDelayMs: 14_400_000, maxRetryAfterMs: 3_600_000, maxWindowMs: 259_200_000 },
    })
    expect(issues(WebhookEndpoint.safeParse({ id: 'app', url: 'https://app.example.com/hook', secret: 'hunter2' }))).toEqual([
      ['secret', 'must be whsec_ followed by the base64 of 24 to 64 bytes (Standard Webhooks)'],
    ])
    expect(issues(WebhookEndpoint.safeParse({ id: 'app', url: 'ftp://x.example.com/', secret }))?.[0][0]).toBe('url')
  })
})
