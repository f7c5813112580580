import { expect, test } from 'vitest'
import { parseDate } from '../../lib/normalize/dates.js'
import { parseMessageIds } from '../../lib/normalize/message-ids.js'

test.each([
  ['Sun, 8 Jan 2017 20:37:44 +0200', '2017-01-08T18:37:44.000Z'],
  ['23 Oct 2003 23:28:34 -0700', '2003-10-24T06:28:34.000Z'],
  ['Sun, 9 Sep 2004 03:15:52 -0500', '2004-09-09T08:15:52.000Z'],
  ['Sun, 7 May 95 16:21:03 GMT', '1995-05-07T16:21:03.000Z'],
  ['Mon, 7 May 07 16:21:03 +0000', '2007-05-07T16:21:03.000Z'],
  ['Fri, 1 Jan 101 00:00:00 +0000', '2001-01-01T00:00:00.000Z'],
  ['Thu, 8 Mar 2005 17:40:36 EDT', '2005-03-08T21:40:36.000Z'],
  ['Wed, 20 Sep 1995 00:19:00 (EDT) -0400', '1995-09-20T04:19:00.000Z'],
  ['Sat, 20 Sep 2008 20:04:30 +0300 (\u00f9\u00f2\u00e5\u00ef)', '2008-09-20T17:04:30.000Z'],
  ['Tue, 29 Dec 2015 09:06:17', '2015-12-29T09:06:17.000Z'],
  ['Tue, 29 Dec 2015 09:06 +0100', '2015-12-29T08:06:00.000Z'],
  ['Tue, 31 Dec 2016 23:59:60 +0000', '2016-12-31T23:59:59.000Z'],
  ['2024-04-11T06:19:44Z', '2024-04-11T06:19:44.000Z'],
  ['Tue Oct 21 09:38:13 2007', '2007-10-21T09:38:13.000Z'],
])('%s -> %s', (value, iso) => {
  expect(parseDate(value)).toBe(iso)
})

test.each(['<HR>', '', 'yesterday', '32 Jan 2020 10:00:00 +0000', 'Mon, 1 Foo 2020 10:00:00 +0000'])('%j is no date', (value) => {
  expect(parseDate(value)).toBeNull()
})

test('message ids: bracketed ids in order, comments and phrases ignored, bare ids bracketed', () => {
  expect(parseMessageIds('<a@b> (comment) <c@d>')).toEqual(['<a@b>', '<c@d>'])
  expect(parseMessageIds('Your message of Monday <x@y>')).toEqual(['<x@y>'])
  expect(parseMessageIds('8787KJKJ3K4J3K4J3K4J3.mail@example.net')).toEqual(['<8787KJKJ3K4J3K4J3K4J3.mail@example.net>'])
  expect(parseMessageIds('no id here')).toEqual([])
})
