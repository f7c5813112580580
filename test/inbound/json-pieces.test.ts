import { describe, expect, test } from 'vitest'
import { jsonPieces } from '../../lib/inbound/json-pieces.js'

const joined = (v: unknown) => [...jsonPieces(v)].join('')

describe('jsonPieces: JSON.stringify(value, null, 2), in pieces', () => {
  test.each([
    ['primitives', [null, true, 0, -1.5, 'x', '']],
    ['empty containers', { a: {}, b: [], c: [[], {}] }],
    ['nesting and escapes', { s: 'quote " backslash \\ newline \n \u0001 groß 😀', n: [1, [2, { x: null }]], undef: undefined }],
    ['a document', { schemaVersion: 1, headers: [{ name: 'subject', value: 'hi' }], attachments: [], dsn: null, text: 'line\nline' }],
  ])('%s: the same text', (_name, v) => {
    expect(joined(v)).toBe(JSON.stringify(v, null, 2))
  })

  test('a long string is escaped in slices, surrogate pairs kept whole, and handed out in pieces', () => {
    // The pair straddles the first slice boundary (65,536 characters).
    const s = `${'a'.repeat((1 << 16) - 1)}😀${'\u0001"'.repeat(600_000)}`
    const v = { text: s, after: [1] }
    const parts = [...jsonPieces(v)]
    expect(parts.join('')).toBe(JSON.stringify(v, null, 2))
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(7 * 64 * 1024)
  })
})
