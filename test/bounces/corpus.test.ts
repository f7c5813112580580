import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { canonicalAddress } from '../../lib/bounces/addresses.js'
import { CORPUS } from '../corpus.js'
import { readTsv, reportOf } from './load.js'

const DIR = join(CORPUS, 'bounces')
const manifest = readTsv(readFileSync(join(DIR, 'MANIFEST.tsv'), 'utf8'))
/** Addresses compare case-insensitively in the domain only (RFC 5321 §2.4); a set, so sorted. */
const addressSet = (list: string[]) => list.map(canonicalAddress).sort()
const orNull = (s: string) => s || null

test('the manifest has one row per bounce sample and every row names a file', () => {
  expect(manifest).toHaveLength(28)
  expect(manifest.map((r) => r.file).sort()).toEqual(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.eml'))
      .sort(),
  )
})

describe('every hand-checked manifest fact holds for the parsed report', () => {
  for (const row of manifest) {
    test(`${row.file} (${row.kind})`, async () => {
      const { report } = await reportOf(join(DIR, row.file))
      if (row.kind === 'auto-reply') {
        expect(report).toBeNull()
        return
      }
      expect(report).not.toBeNull()
      const expectedShape = { dsn: ['bounce', 'dsn'], 'plain-bounce': ['bounce', 'plain'], arf: ['complaint', 'arf'] }[row.kind]
      expect([report!.kind, report!.format]).toEqual(expectedShape)
      const expected = row.recipients ? row.recipients.split(',') : []
      expect(addressSet(report!.recipients.map((r) => r.recipient))).toEqual(addressSet(expected))
      for (const r of report!.recipients) {
        expect({ status: r.status, action: r.action, classification: r.classification }).toEqual({
          status: orNull(row.status),
          action: orNull(row.action),
          classification: orNull(row.hard_soft),
        })
      }
      expect(report!.originalMessageId).toBe(orNull(row.original_message_id))
    })
  }
})
