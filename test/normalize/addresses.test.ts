import { expect, test } from 'vitest'
import { parseAddressList } from '../../lib/normalize/addresses.js'

const a = (address: string, name = '', group: string | null = null) => ({ name, address, group })

test('display names are decoded after the list is split: an encoded comma does not split (mailparser #375)', () => {
  expect(parseAddressList('=?utf-8?Q?Doe=2C_J=C3=B6hn?= <john@example.com>, b@example.com')).toEqual([a('john@example.com', 'Doe, Jöhn'), a('b@example.com')])
})

test('quoted names with an encoded-word inside are decoded', () => {
  expect(parseAddressList('"=?windows-1252?Q?Forma=E7=E3o?= Frenetikpolis" <info@example.info>')).toEqual([a('info@example.info', 'Formação Frenetikpolis')])
})

test('several mailboxes (legal in From) are all kept, in order', () => {
  expect(parseAddressList('Alice <a@example.com>, Bob <b@example.com>')).toEqual([a('a@example.com', 'Alice'), a('b@example.com', 'Bob')])
})

test('group members carry the group name; an empty group adds nothing; a comment alone is no mailbox', () => {
  expect(parseAddressList('Team: x@example.com, "Y" <y@example.com>;, z@example.com')).toEqual([
    a('x@example.com', '', 'Team'),
    a('y@example.com', 'Y', 'Team'),
    a('z@example.com'),
  ])
  expect(parseAddressList('undisclosed-recipients:;')).toEqual([])
  expect(parseAddressList('unlisted-recipients:; (no To-header on input)')).toEqual([])
})

test('a bare word is an address without a domain (MAILER-DAEMON)', () => {
  expect(parseAddressList('MAILER-DAEMON')).toEqual([a('MAILER-DAEMON')])
})

test('UTF-8 addresses (RFC 6532) are kept as written', () => {
  expect(parseAddressList('"Jöhn Doe" <jdöe@mächine.example>')).toEqual([a('jdöe@mächine.example', 'Jöhn Doe')])
})

test('empty or junk input gives no mailboxes and does not throw', () => {
  expect(parseAddressList('')).toEqual([])
  expect(parseAddressList('<<<>>>,,;;::')).toEqual([])
})

test('encoded-words with raw spaces or a raw comma inside are one display name (RFC 2047 §5 broken by senders)', () => {
  expect(parseAddressList('=?UTF-8?Q?Garc=C3=ADa, Jos=C3=A9?= <jose@example.com>, =?UTF-8?Q?Team Vertrieb?= <s@example.de>')).toEqual([
    a('jose@example.com', 'García, José'),
    a('s@example.de', 'Team Vertrieb'),
  ])
})
