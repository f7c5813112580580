import { expect, test } from 'vitest'
import { canonicalAddress, findAddresses, isSystemMailbox, singleAddress } from '../../lib/bounces/addresses.js'

test('findAddresses finds addr-specs in report text as written', () => {
  expect(findAddresses('<"neko....nyaan...."@libsisimai.org>: host said')).toEqual(['"neko....nyaan...."@libsisimai.org'])
  expect(findAddresses('"shironeko@example.jp":')).toEqual(['shironeko@example.jp'])
  expect(findAddresses('kijitora@example.com<mailto:kijitora@example.com>')).toEqual(['kijitora@example.com', 'kijitora@example.com'])
  expect(findAddresses('to bounce-5899542-1206365-kijitora=example.jp@mail22.neko.example.net.')).toEqual([
    'bounce-5899542-1206365-kijitora=example.jp@mail22.neko.example.net',
  ])
  expect(findAddresses('postmaster@[192.0.2.1] and ...dots@example.org')).toEqual(['postmaster@[192.0.2.1]', 'dots@example.org'])
  expect(findAddresses('用户@例子.广告 and josé@exämple.de')).toEqual(['用户@例子.广告', 'josé@exämple.de'])
  expect(findAddresses('no address @ here, user@localhost')).toEqual([])
})

test('canonicalAddress lower-cases the domain only and drops brackets', () => {
  expect(canonicalAddress(' <Dave.Smith@Example.NET> ')).toBe('Dave.Smith@example.net')
  expect(canonicalAddress('MAILER-DAEMON')).toBe('MAILER-DAEMON')
})

test('singleAddress reads one address field; <> and empty are null', () => {
  expect(singleAddress('<bounces+01jd@Mail.Example.com>')).toBe('bounces+01jd@mail.example.com')
  expect(singleAddress('sironeko@example.net')).toBe('sironeko@example.net')
  expect(singleAddress('<>')).toBeNull()
  expect(singleAddress('')).toBeNull()
  expect(singleAddress(null)).toBeNull()
})

test('isSystemMailbox knows mailer daemons and postmasters, with or without a domain', () => {
  expect(['MAILER-DAEMON', 'Mailer-Daemon@mx.example.net', 'postmaster@example.jp', 'mailer_daemon@x.example'].map(isSystemMailbox)).toEqual([
    true,
    true,
    true,
    true,
  ])
  expect(['noreply@example.com', 'postmaster.bot@example.com', 'bounces@example.com'].map(isSystemMailbox)).toEqual([false, false, false])
})
