import { expect, test } from 'vitest'
import { findReplyCode, findStatusCode, validStatus } from '../../lib/bounces/status-codes.js'

test('findStatusCode takes the first RFC 3463 code, qmail #-codes included', () => {
  expect(findStatusCode('550 5.1.1 <a@b.example>... User Unknown')).toBe('5.1.1')
  expect(findStatusCode('550 Unknown user a@b.example\n. (#5.5.0)')).toBe('5.5.0')
  expect(findStatusCode('-- 5.4.1 Recipient address rejected')).toBe('5.4.1')
  expect(findStatusCode('451 4.7.1 Greylisted, 5.1.1 later')).toBe('4.7.1')
})

test('findStatusCode does not read IP addresses, versions, dates or other classes as codes', () => {
  expect(findStatusCode('host mx.example.eu [192.0.2.32]: 554 rejected')).toBeNull()
  expect(findStatusCode('Internet Mail Service (5.5.1960.3)')).toBeNull()
  expect(findStatusCode('Courier 0.65.2, Exim 4.80, on 2.5.2014')).toBeNull()
  expect(findStatusCode('3.1.1 is not a class')).toBeNull()
  expect(findStatusCode(null)).toBeNull()
})

test('validStatus keeps only well-formed codes', () => {
  expect(validStatus('4.4.7')).toBe('4.4.7')
  expect(validStatus('failed')).toBeNull()
  expect(validStatus('')).toBeNull()
  expect(validStatus(null)).toBeNull()
})

test('findReplyCode reads a leading reply or one after said:, <<< or returned was:, never a port or count', () => {
  expect(findReplyCode('550 5.1.1 user unknown')).toBe(550)
  expect(findReplyCode('remote host 192.0.2.32 said: 550 Unknown user')).toBe(550)
  expect(findReplyCode('... while talking to mx.:\n<<< 421')).toBe(421)
  expect(findReplyCode('The error that the other server returned was:\n452 4.2.2 full')).toBe(452)
  expect(findReplyCode('connect to mx.example.org[192.0.2.9]:587: Connection timed out')).toBeNull()
  expect(findReplyCode('tried 500 times')).toBeNull()
  expect(findReplyCode(null)).toBeNull()
})
