import { describe, expect, test } from 'vitest'
import { parseTimeFilter } from '../../lib/logs/time-filter.js'
import { harness } from '../harness.js'

const NOW = Date.parse('2026-12-02T12:00:00Z')

describe('since/until filter values (lib/logs/time-filter.ts)', () => {
  test.each([
    ['2026-12-02T09:00:00Z', Date.parse('2026-12-02T09:00:00Z')],
    ['2026-12-02T09:00:00.123+01:00', Date.parse('2026-12-02T08:00:00.123Z')],
    ['2026-12-02', Date.parse('2026-12-02T00:00:00Z')],
    ['2024-02-29', Date.parse('2024-02-29T00:00:00Z')],
    ['1970-01-01', 0],
    ['1h', NOW - 3_600_000],
    ['90s', NOW - 90_000],
    ['7d', NOW - 7 * 86_400_000],
    ['999999d', 0],
  ])('%s is %d ms', (value, ms) => {
    expect(parseTimeFilter(value, NOW)).toBe(ms)
  })

  test.each([
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-12-02T24:00:00Z',
    '2026-12-02T10:60Z',
    '1969-12-31',
    '1900-01-01T00:00:00Z',
    '0000-01-01',
    '2026-12-02T10:00:00',
    'yesterday',
    '1w',
    '',
  ])('%s is refused', (value) => {
    expect(parseTimeFilter(value, NOW)).toBeNull()
  })

  test('GET /v1/messages and /v1/inbound answer a time before 1970 or a day that does not exist with 400 invalid_time', async () => {
    const h = await harness()
    try {
      for (const path of ['/v1/messages?until=1969-12-31', '/v1/inbound?until=1900-01-01T00:00:00Z', '/v1/messages?since=2026-02-30']) {
        const res = await h.call('GET', path)
        const param = path.includes('since') ? 'since' : 'until'
        expect([path, res.status, res.json.error.issues]).toEqual([path, 400, [expect.objectContaining({ path: ['query', param], code: 'invalid_time' })]])
      }
    } finally {
      await h.close()
    }
  })
})
