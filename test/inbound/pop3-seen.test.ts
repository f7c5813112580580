import { describe, expect, test } from 'vitest'
import { isSeen, pruneSeen, seenEntry } from '../../lib/inbound/pop3-seen.js'

describe('POP3 seen record: UIDL and size', () => {
  test('a message is seen only when its UIDL and its size match', () => {
    const seen = new Set([seenEntry({ number: 1, size: 120, uidl: '1' })])
    expect(seenEntry({ number: 1, size: 120, uidl: '1' })).toBe('1 120')
    expect(isSeen(seen, { number: 1, size: 120, uidl: '1' })).toBe(true)
    expect(isSeen(seen, { number: 1, size: 121, uidl: '1' })).toBe(false)
    expect(isSeen(seen, { number: 1, size: 120, uidl: null })).toBe(false)
  })

  test('an entry written before sizes were recorded matches by UIDL alone', () => {
    expect(isSeen(new Set(['0000000163ab01ff']), { number: 4, size: 9, uidl: '0000000163ab01ff' })).toBe(true)
  })

  test('pruning keeps, in order, the entries the server still lists', () => {
    const listed = [
      { number: 1, size: 10, uidl: 'b' },
      { number: 2, size: 30, uidl: 'c' },
    ]
    expect(pruneSeen(['a 5', 'b 10', 'c 20', 'c', 'd 1'], listed)).toEqual(['b 10', 'c'])
  })
})
