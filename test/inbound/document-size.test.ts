import { describe, expect, test } from 'vitest'
import { DocumentTooLargeError, documentLimitBytes, isLargeDocument, roughJsonBound, writeDocument } from '../../lib/inbound/document-size.js'
import { tempFsStore } from './harness.js'

const actual = (v: unknown) => Buffer.byteLength(JSON.stringify(v, null, 2))

describe('document size', () => {
  test.each([
    ['ASCII', { subject: 'hello', n: 5, ok: true, none: null }],
    ['escapes', { s: 'quote " backslash \\ newline \n tab \t bell \u0007' }],
    ['non-ASCII and surrogates', { s: 'groß 日本 😀 \ud800 lone' }],
    ['nesting', { a: [1, [2, [3, { b: [] }]], {}], c: { d: { e: ['x'] } } }],
    ['control bytes', { text: '\u0001'.repeat(10_000), headers: [{ name: 'subject', value: '\u0002'.repeat(100) }] }],
  ])('%s: the rough bound is never below the real size', (_name, v) => {
    expect(roughJsonBound(v)).toBeGreaterThanOrEqual(actual(v))
  })

  test('a document is large when it may pass 1 MiB; the limit is twice the message plus 1 MiB', () => {
    expect(isLargeDocument({ text: 'x'.repeat(170_000) })).toBe(false)
    expect(isLargeDocument({ text: 'x'.repeat(180_000) })).toBe(true)
    expect(documentLimitBytes(100)).toBe(200 + 1024 * 1024)
  })

  test('a large document is written as putJson would write it; one past its limit is not written at all', async () => {
    const { store, close } = await tempFsStore()
    try {
      const doc = { subject: 's', text: 'lorem ipsum "dolor"\n'.repeat(100_000) }
      await writeDocument(store, 'docs/a.json', doc, 3 * 1024 * 1024)
      expect((await store.get('docs/a.json'))!.body.toString()).toBe(JSON.stringify(doc, null, 2))
      const blowUp = { text: '\u0001'.repeat(3 * 1024 * 1024) }
      await expect(writeDocument(store, 'docs/b.json', blowUp, documentLimitBytes(3 * 1024 * 1024))).rejects.toThrow(
        new DocumentTooLargeError(documentLimitBytes(3 * 1024 * 1024)),
      )
      expect(await store.list('docs/')).toEqual(['docs/a.json'])
    } finally {
      await close()
    }
  })
})
