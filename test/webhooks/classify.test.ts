import { describe, expect, test } from 'vitest'
import { classifyAttempt, parseRetryAfter, retryDelayMs } from '../../lib/webhooks/classify.js'
import { fitPayload } from '../../lib/webhooks/payload.js'

const NOW = Date.parse('2026-11-29T12:00:00Z')

describe('webhook attempt classification', () => {
  test('2xx delivered, 410 gone, anything else retried with its Retry-After', () => {
    expect(classifyAttempt({ status: 204, retryAfter: null }, NOW)).toEqual({ kind: 'delivered', status: 204 })
    expect(classifyAttempt({ status: 410, retryAfter: null }, NOW)).toEqual({ kind: 'gone', status: 410 })
    expect(classifyAttempt({ status: 301, retryAfter: null }, NOW)).toEqual({ kind: 'retry', status: 301, reason: 'HTTP 301', retryAfterMs: null })
    expect(classifyAttempt({ status: 429, retryAfter: '7' }, NOW)).toEqual({ kind: 'retry', status: 429, reason: 'HTTP 429', retryAfterMs: 7000 })
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
    expect(classifyAttempt({ error: refused }, NOW)).toEqual({ kind: 'retry', status: null, reason: 'ECONNREFUSED', retryAfterMs: null })
    expect(classifyAttempt({ error: new DOMException('t', 'TimeoutError') }, NOW)).toMatchObject({ reason: 'timeout' })
  })

  test('Retry-After as delta-seconds or HTTP-date (RFC 9110 §10.2.3)', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:01:30 GMT', NOW)).toBe(90_000)
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', NOW)).toBe(0)
    expect(parseRetryAfter('soon', NOW)).toBeNull()
    expect(parseRetryAfter(null, NOW)).toBeNull()
  })

  test('exponential backoff with jitter, capped, never shorter than Retry-After', () => {
    const r = { baseDelayMs: 30_000, maxDelayMs: 4 * 3600_000 }
    expect([1, 2, 3, 10, 14].map((n) => retryDelayMs(n, r, () => 0.5, null))).toEqual([30_000, 60_000, 120_000, 14_400_000, 14_400_000])
    expect(retryDelayMs(1, r, () => 0, null)).toBe(24_000)
    expect(retryDelayMs(1, r, () => 0.5, 90_000)).toBe(90_000)
    // The default schedule (14 attempts) spans about a day.
    const total = Array.from({ length: 13 }, (_, i) => retryDelayMs(i + 1, r, () => 0.5, null)).reduce((a, b) => a + b)
    expect(total / 3600_000).toBeCloseTo(20.26, 1)
  })
})

describe('payload size cap', () => {
  test('drops the largest parts first until the payload fits', () => {
    const payload = {
      type: 'message.received' as const,
      timestamp: 't',
      data: {
        message: {
          html: 'h'.repeat(5000),
          text: 't'.repeat(3000),
          textReply: 'r',
          headers: [{ name: 'x', value: 'v'.repeat(100) }],
          attachments: [{ content: 'c'.repeat(4000) }],
        },
      },
    }
    expect(fitPayload(payload, 4000)).toEqual(['message.html', 'message.attachments[0].content'])
    expect(payload.data.message).toMatchObject({ html: null, text: 't'.repeat(3000), attachments: [{}] })
    expect(fitPayload(payload, 100)).toEqual(['message.text', 'message.headers', 'message.textReply', 'message.attachments'])
  })
})
