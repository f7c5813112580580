import { describe, expect, test } from 'vitest'
import { formatApiError, CliApiError, queryString } from '../../lib/cli/api-client.js'
import { parseTimeOption } from '../../lib/cli/relative-time.js'
import { cellText, formatTable } from '../../lib/cli/table.js'

const NOW = Date.parse('2026-12-02T14:00:00.000Z')

describe('CLI formatting (pure)', () => {
  test('--since: relative units ago, dates and times as written, anything else refused', () => {
    expect(['30s', '15m', '1h', '2d', '1w', '2026-12-01', '2026-12-01T10:00:00+02:00'].map((v) => parseTimeOption(v, NOW))).toEqual([
      '2026-12-02T13:59:30.000Z',
      '2026-12-02T13:45:00.000Z',
      '2026-12-02T13:00:00.000Z',
      '2026-11-30T14:00:00.000Z',
      '2026-11-25T14:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2026-12-01T08:00:00.000Z',
    ])
    for (const bad of ['1y', 'h', '-1h', 'yesterday', '2026-13-45']) expect(() => parseTimeOption(bad, NOW)).toThrow(`${JSON.stringify(bad)} is not a time`)
  })

  test('tables: aligned columns, headings upper-cased, long values cut, nulls as -', () => {
    const rows = [
      { id: 'a1', to: ['carol@example.com', 'dan@example.com'], status: 'sent', reply: null },
      { id: 'b22', to: [], status: 'failed', reply: '550 5.1.1 unknown user\r\nmore' },
    ]
    const cols = [
      { title: 'id', value: (r: (typeof rows)[0]) => r.id },
      { title: 'to', value: (r: (typeof rows)[0]) => r.to, max: 20 },
      { title: 'status', value: (r: (typeof rows)[0]) => r.status },
      { title: 'reply', value: (r: (typeof rows)[0]) => r.reply },
    ]
    expect(formatTable(rows, cols)).toBe(
      ['ID   TO                   STATUS  REPLY', 'a1   carol@example.com,…  sent    -', 'b22  -                    failed  550 5.1.1 unknown user more'].join(
        '\n',
      ),
    )
    expect([cellText({ name: 'Dana', address: 'dana@example.net' }), cellText(0), cellText(''), cellText(undefined)]).toEqual([
      'dana@example.net',
      '0',
      '-',
      '-',
    ])
  })

  test('query strings leave out empty values and join lists; API errors print code, message and fields', () => {
    expect(queryString({ status: 'failed', to: undefined, types: ['message.sent', 'webhook.attempt'], empty: [], limit: 20, cursor: '' })).toBe(
      '?status=failed&types=message.sent%2Cwebhook.attempt&limit=20',
    )
    expect(queryString({})).toBe('')
    const err = new CliApiError(400, 'validation_failed', 'the query has invalid parameters', [{ path: ['query', 'limit'], message: 'too big' }])
    expect(formatApiError(err)).toBe('error: validation_failed: the query has invalid parameters\n  query.limit: too big')
  })
})
