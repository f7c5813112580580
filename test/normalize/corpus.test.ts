import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { normalizeMessage } from '../../lib/normalize/normalize.js'
import { CORPUS } from '../corpus.js'
import { CORPUS_FACTS, checkCorpusFacts } from './corpus-facts.js'

const manifest = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim())
  .map((l) => l.split('\t'))
const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s)

test('the fact table has one entry per MANIFEST file, with its hand-checked text verbatim', () => {
  expect(manifest).toHaveLength(64)
  expect(CORPUS_FACTS.map((e) => e.file)).toEqual(manifest.map((row) => row[0]))
  expect(CORPUS_FACTS.map((e) => e.verifiedByHand)).toEqual(manifest.map((row) => unquote(row[4])))
})

describe('every corpus file normalizes and shows its hand-checked facts', () => {
  for (const entry of CORPUS_FACTS) {
    test(entry.file, async () => {
      const raw = readFileSync(join(CORPUS, entry.file))
      const keys: string[] = []
      const result = await normalizeMessage(raw, {
        id: 'corpus-1',
        mailbox: 'corpus',
        receivedAt: '2026-01-01T00:00:00.000Z',
        attachmentKey: (id, name) => {
          keys.push(`${id}/${name}`)
          return `inbound/corpus/corpus-1/${id}/${name}`
        },
      })
      const doc = InboundMessage.parse(result.document)
      expect(doc.parseError).toBeNull()
      expect(doc.size).toBe(raw.length)
      const content = (a: { id: string }) => result.attachments.find((x) => x.id === a.id)!.content
      const check = await checkCorpusFacts(doc, entry, { raw, content })
      expect(check).toEqual({ mismatches: [], skipped: [] })
      // The bytes handed back are the ones the document describes.
      expect(result.attachments.map((a) => [a.id, a.size, a.key])).toEqual(doc.attachments.map((a) => [a.id, a.size, a.key]))
      expect(keys).toEqual(doc.attachments.map((a) => `${a.id}/${a.safeFilename}`))
    })
  }
})

describe('damaged copies of every corpus file still normalize to a valid document', () => {
  for (const entry of CORPUS_FACTS) {
    test(entry.file, async () => {
      const raw = readFileSync(join(CORPUS, entry.file))
      // Cut at a third and two thirds, and every 97th byte set to 0xFF (8-bit junk, broken encodings).
      const damaged = [
        raw.subarray(0, Math.floor(raw.length / 3)),
        raw.subarray(0, Math.floor((2 * raw.length) / 3)),
        Buffer.from(raw.map((b, i) => (i % 97 === 50 ? 0xff : b))),
      ]
      for (const bytes of damaged) {
        const { document, attachments } = await normalizeMessage(bytes, {
          id: 'd',
          mailbox: 'corpus',
          receivedAt: '2026-01-01T00:00:00.000Z',
          attachmentKey: (id, n) => `${id}/${n}`,
        })
        InboundMessage.parse(document)
        expect(document.size).toBe(bytes.length)
        expect(attachments.map((a) => a.content.length)).toEqual(document.attachments.map((a) => a.size))
        for (const a of document.attachments) expect(a.key).not.toMatch(/\.\.|[\\\x00-\x1f]/)
      }
    })
  }
})
