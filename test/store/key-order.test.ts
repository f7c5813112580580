import { expect, test } from 'vitest'
import { compareKeys, prefixUpperBound } from '../../lib/store/key-order.js'

// Characters on both sides of the places where UTF-16 order and byte order part: below and above the surrogates,
// the top of the BMP, and astral characters (surrogate pairs in UTF-16).
const ALPHABET = ['a', '/', '-', '\u{7f}', '\u{e9}', '\u{d7ff}', '\u{e000}', '\u{ff5e}', '\u{ffff}', '\u{10000}', '\u{1f600}', '\u{10ffff}']
const sign = (n: number) => Math.sign(n)

test('compareKeys agrees with comparing the UTF-8 bytes, including characters above U+FFFF', () => {
  let seed = 7
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
  const word = () => Array.from({ length: rand(4) }, () => ALPHABET[rand(ALPHABET.length)]).join('')
  for (let i = 0; i < 5000; i++) {
    const [a, b] = [word(), word()]
    expect([a, b, sign(compareKeys(a, b))]).toEqual([a, b, sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))])
  }
  // The case JavaScript's own `<` gets wrong: U+FF5E is one UTF-16 unit above the surrogate U+D83D, but below U+1F600 in bytes.
  expect('\u{ff5e}' < '\u{1f600}').toBe(false)
  expect(compareKeys('\u{ff5e}', '\u{1f600}')).toBeLessThan(0)
})

test('prefixUpperBound is the least string above every key with the prefix', () => {
  expect(prefixUpperBound('queue/')).toBe('queue0')
  expect(prefixUpperBound('a\u{d7ff}')).toBe('a\u{e000}')
  expect(prefixUpperBound('a\u{ffff}')).toBe('a\u{10000}')
  expect(prefixUpperBound('a\u{10ffff}')).toBe('b')
  expect(prefixUpperBound('')).toBeNull()
  for (const key of ['queue/', 'queue/x', 'queue/\u{10ffff}\u{10ffff}', 'queue/\u{1f600}'])
    expect(compareKeys(key, prefixUpperBound('queue/')!)).toBeLessThan(0)
  expect(compareKeys('queue0', prefixUpperBound('queue/')!)).toBe(0)
})
