/**
 * Hostile inbound messages, built in memory (issue 8 "Bad input"): each must end as a stored raw message with a
 * parse error or a good document, without a crash, unbounded memory, or an event-loop stall over 100 ms.
 */
const head = (subject: string, extra = '') =>
  `From: Mallory <m@example.test>\r\nTo: r@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.test>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n${extra}`

/** 10,000 header fields, a few of them repeated single-use fields. */
export function manyHeaders(count = 10_000): Buffer {
  const fields = Array.from({ length: count }, (_, i) => (i % 1000 === 0 ? `Subject: again ${i}\r\n` : `X-Header-${i}: value ${i}\r\n`)).join('')
  return Buffer.from(`${head('ten thousand headers')}${fields}\r\nbody\r\n`)
}

/** One line of `bytes` bytes (no CRLF) as the body. */
export function longLine(bytes: number): Buffer {
  return Buffer.concat([Buffer.from(`${head('one long line')}\r\n`), Buffer.alloc(bytes, 'a'), Buffer.from('\r\n')])
}

/** `depth` nested multipart/mixed parts, a text part at the bottom. */
export function deepNesting(depth = 1000): Buffer {
  const open: string[] = []
  const close: string[] = []
  for (let i = 0; i < depth; i++) {
    open.push(`Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`)
    close.unshift(`\r\n--b${i}--\r\n`)
  }
  return Buffer.from(`${head('deep nesting', 'MIME-Version: 1.0\r\n')}${open.join('')}Content-Type: text/plain\r\n\r\nat the bottom${close.join('')}`)
}

/**
 * Charsets that lie or do not exist: an unknown label, bytes invalid in the declared one, UTF-7, a broken ISO-2022-JP
 * escape, and 8-bit header bytes. No NUL or bare LF: IMAP APPEND cannot carry the one and Dovecot rewrites the other.
 */
export function badCharsets(): Buffer {
  const parts = [
    ['text/plain; charset="x-no-such-charset"', Buffer.from('caf\xe9 unknown label', 'latin1')],
    ['text/plain; charset=utf-8', Buffer.from([0x62, 0x61, 0x64, 0x20, 0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0x20, 0x75, 0x74, 0x66, 0x38])],
    ['text/plain; charset=utf-7', Buffer.from('Hi Mom -+Jjo--!')],
    ['text/plain; charset=iso-2022-jp', Buffer.from([0x1b, 0x24, 0x42, 0xff, 0xff, 0x1b, 0x28, 0x42])],
  ] as const
  const body = parts.map(([ct, bytes]) => Buffer.concat([Buffer.from(`--cs\r\nContent-Type: ${ct}\r\n\r\n`), bytes, Buffer.from('\r\n')]))
  return Buffer.concat([
    Buffer.from(`${head('=?x-unknown?B?AAAA?= charsets', 'MIME-Version: 1.0\r\nX-Raw: ')}`),
    Buffer.from([0xe9, 0xff, 0x1b, 0x7f]),
    Buffer.from('\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n'),
    ...body,
    Buffer.from('--cs--\r\n'),
  ])
}
