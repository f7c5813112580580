import { decodeTime, isValid } from 'ulidx'
import { expect, test } from 'vitest'
import { createIdFactory } from '../lib/id.js'

test('ids are valid ULIDs with the clock time, strictly increasing, across several 4 KiB pools of randomness', () => {
  let ms = Date.parse('2026-11-30T00:00:00Z')
  // A new ms for every id, so each draws 16 random characters: 1,000 ids use about four pools.
  const newId = createIdFactory(() => ms++)
  const ids = Array.from({ length: 1000 }, newId)
  expect(ids.every((id) => isValid(id) && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true)
  expect(ids.map(decodeTime)).toEqual(ids.map((_, i) => Date.parse('2026-11-30T00:00:00Z') + i))
  expect(new Set(ids.map((id) => id.slice(10))).size).toBe(1000)
})

test('ids made in the same ms still increase (ULID monotonic increment)', () => {
  const newId = createIdFactory(() => 1_764_460_800_000)
  const ids = Array.from({ length: 100 }, newId)
  expect(ids.every((id, i) => i === 0 || ids[i - 1] < id)).toBe(true)
})

test('two factories draw different random parts', () => {
  const [a, b] = [createIdFactory()(), createIdFactory()()]
  expect(a.slice(10)).not.toBe(b.slice(10))
})
