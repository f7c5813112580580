import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { harness, type Harness } from '../harness.js'

let h: Harness
beforeAll(async () => {
  h = await harness({ config: { suppressions: { scope: 'global' } } })
})
afterAll(() => h.close())

const issuesOf = async (path: string) => {
  const res = await h.call('GET', path)
  return [res.status, res.json.error?.issues?.map((i: { path: unknown[]; code: string }) => [i.path.join('.'), i.code])]
}

describe('query strings', () => {
  test('a parameter given twice is refused at its path, whatever the route', async () => {
    expect(await issuesOf('/v1/messages?status=failed&status=sent')).toEqual([400, [['query.status', 'repeated']]])
    expect(await issuesOf('/v1/inbound?limit=2&limit=3&since=1h&since=2h')).toEqual([
      400,
      [
        ['query.limit', 'repeated'],
        ['query.since', 'repeated'],
      ],
    ])
    expect(await issuesOf('/v1/suppressions?cursor=a&cursor=b')).toEqual([400, [['query.cursor', 'repeated']]])
  })

  test('GET /v1/suppressions checks its query: limit, unknown parameters, a cursor not of this listing', async () => {
    expect(await issuesOf('/v1/suppressions?limit=0')).toEqual([400, [['query.limit', 'too_small']]])
    expect(await issuesOf('/v1/suppressions?limit=abc')).toEqual([400, [['query.limit', 'invalid_type']]])
    expect(await issuesOf('/v1/suppressions?limit=100000')).toEqual([400, [['query.limit', 'too_big']]])
    expect(await issuesOf('/v1/suppressions?foo=1')).toEqual([400, [['query.foo', 'unknown_field']]])
    expect(await issuesOf('/v1/suppressions?cursor=zzzz')).toEqual([400, [['query.cursor', 'invalid_cursor']]])
    const ok = await h.call('GET', '/v1/suppressions?limit=5')
    expect([ok.status, ok.json]).toEqual([200, { data: [], nextCursor: null }])
  })
})
