import { describe, expect, test } from 'vitest'
import { documentLimitBytes, jsonLengthBound } from '../../lib/inbound/document-size.js'

const actual = (v: unknown) => Buffer.byteLength(JSON.stringify(v, null, 2))

describe('jsonLengthBound: an upper bound of the pretty JSON, without building it', () => {
  test.each([
    ['ASCII', { subject: 'hello', n: 5, ok: true, none: null }],
    ['escapes', { s: 'quote " backslash \\ newline \n tab \t bell \u0007' }],
    ['non-ASCII and surrogates', { s: 'groß 日本 😀 \ud800 lone' }],
    ['nesting', { a: [1, [2, [3, { b: [] }]], {}], c: { d: { e: ['x'] } } }],
    ['a document of control bytes', { text: '\u0001'.repeat(10_000), headers: [{ name: 'subject', value: '\u0002'.repeat(100) }] }],
  ])('%s: the bound is at least the real size and within 25%% (or 64 bytes) of it', async (_name, v) => {
    const bound = await jsonLengthBound(v)
    expect(bound).toBeGreaterThanOrEqual(actual(v))
    expect(bound).toBeLessThanOrEqual(Math.max(actual(v) * 1.25, actual(v) + 64))
  })

  test('a string of control bytes counts six bytes a byte, past the limit of a message of its size', async () => {
    const text = '\u0001'.repeat(3 * 1024 * 1024)
    expect(await jsonLengthBound({ text })).toBeGreaterThanOrEqual(actual({ text }))
    expect(await jsonLengthBound({ text })).toBeLessThan(actual({ text }) + 64)
    expect(await jsonLengthBound({ text })).toBeGreaterThan(documentLimitBytes(text.length))
    expect(documentLimitBytes(100)).toBe(200 + 1024 * 1024)
  })
})
