import { describe, expect, test } from 'vitest'
import type { MailboxState } from '../../lib/inbound/mailbox-state.js'
import { beginMessage, DIED, poisonParseError, recordFailure } from '../../lib/inbound/poison-guard.js'

const fresh = (): MailboxState => ({ sequence: 0, folders: {} })

describe('poison-guard: charging tries to one message', () => {
  test('a poll that began a message and never said how it ended died on it: that is a try', () => {
    const s = fresh()
    expect(beginMessage(s, 'a')).toEqual({ key: 'a', tries: 0, lastError: null, running: true })
    expect(beginMessage(s, 'a')).toEqual({ key: 'a', tries: 1, lastError: DIED, running: true })
    expect(beginMessage(s, 'a')).toEqual({ key: 'a', tries: 2, lastError: DIED, running: true })
  })

  test('a recorded failure is one try, and beginning the same message again adds none', () => {
    const s = fresh()
    beginMessage(s, 'a')
    expect(recordFailure(s, 'a', new RangeError('Invalid string length'))).toEqual({
      key: 'a',
      tries: 1,
      lastError: 'RangeError: Invalid string length',
      running: false,
    })
    expect(beginMessage(s, 'a')).toEqual({ key: 'a', tries: 1, lastError: 'RangeError: Invalid string length', running: true })
    expect(recordFailure(s, 'a', 'refused')).toMatchObject({ tries: 2, lastError: 'refused' })
  })

  test('moving to another message starts its count at zero', () => {
    const s = fresh()
    recordFailure(s, 'a', new Error('x'))
    expect(beginMessage(s, 'b')).toEqual({ key: 'b', tries: 0, lastError: null, running: true })
    s.inFlight = { key: null, tries: 0, lastError: null, running: true }
    expect(beginMessage(s, 'c')).toEqual({ key: 'c', tries: 0, lastError: null, running: true })
  })

  test('the parseError names the last failure and the count', () => {
    expect(poisonParseError({ key: 'a', tries: 3, lastError: DIED, running: true })).toBe(`poison: ${DIED} (3 tries)`)
  })
})
