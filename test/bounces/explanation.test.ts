import { expect, test } from 'vitest'
import { quotedHeaders, quotedMessageId, splitAtCopy, summarize } from '../../lib/bounces/explanation.js'

test('splitAtCopy cuts at the separator line and keeps the copy after it', () => {
  const text =
    'It failed.\n\n------ This is a copy of the message, including all the headers. ------\n\nReturn-path: <a@example.org>\nMessage-ID: <m@example.org>\n\nbody'
  expect(splitAtCopy(text)).toEqual({ explanation: 'It failed.\n', copy: '\nReturn-path: <a@example.org>\nMessage-ID: <m@example.org>\n\nbody' })
})

test('splitAtCopy starts a copy pasted without separator at its Return-Path or Received line', () => {
  expect(splitAtCopy('Delayed.\n\nReceived: from x by y\nSubject: s')).toEqual({ explanation: 'Delayed.\n', copy: 'Received: from x by y\nSubject: s' })
  expect(splitAtCopy('No copy at all.')).toEqual({ explanation: 'No copy at all.', copy: null })
  expect(splitAtCopy(null)).toEqual({ explanation: '', copy: null })
})

test('quotedHeaders reads the header block of the copy, skipping blank lines and non-field lines', () => {
  const headers = quotedHeaders('\n\nReturn-Path: <b+1@example.com>\nX-Long: a\ncontinued without indent\nTo: x@example.org\n\nbody: not a header')
  expect(headers).toEqual([
    { name: 'return-path', value: '<b+1@example.com>' },
    { name: 'x-long', value: 'a' },
    { name: 'to', value: 'x@example.org' },
  ])
  expect(quotedHeaders(null)).toEqual([])
})

test('quotedMessageId takes the first Message-ID line, indented, quoted or folded', () => {
  expect(quotedMessageId('  Message-id: <170CB@me.example.com>\n  Date: x')).toBe('<170CB@me.example.com>')
  expect(quotedMessageId('> Message-ID:\n>\tnot folded\nMessage-ID:\n <folded@example.org>')).toBe('<folded@example.org>')
  expect(quotedMessageId('Original-Message-ID: bare@example.org')).toBe('<bare@example.org>')
  expect(quotedMessageId('X-Microsoft-Original-Message-ID: <x@y>')).toBeNull()
  expect(quotedMessageId(null)).toBeNull()
})

test('summarize folds blank runs and cuts at a line end before 1,000 characters', () => {
  expect(summarize('  \n\nFirst line   \n\n\n\nSecond\n')).toBe('First line\n\nSecond')
  expect(summarize(' \n ')).toBeNull()
  const long = Array.from({ length: 40 }, (_, i) => `line ${i} `.padEnd(40, 'x')).join('\n')
  const cut = summarize(long)!
  expect(cut.length).toBeLessThanOrEqual(1000)
  expect(long.startsWith(cut)).toBe(true)
  expect(long[cut.length]).toBe('\n')
  expect(summarize('y'.repeat(3000))).toBe('y'.repeat(1000))
})
