/**
 * Peak memory of normalizeMessage on one synthetic message with a large attachment (base64, random bytes).
 * Usage: npx tsx bench/normalize-memory.ts [attachment MB = 25]. Run in a fresh process: maxRSS is per process.
 * Prints the raw size, the decoded size, the time, the RSS before, and the peak RSS (process.resourceUsage().maxRSS).
 */
import { randomBytes } from 'node:crypto'
import { normalizeMessage } from '../lib/normalize/normalize.js'

const mb = Number(process.argv[2] ?? 25)
const content = randomBytes(mb * 1024 * 1024)
const b64 = content.toString('base64').replace(/.{76}/g, '$&\r\n')
const raw = Buffer.from(
  [
    'From: Sender <sender@example.com>',
    'To: inbox@example.com',
    'Subject: big attachment',
    'Date: Sun, 29 Nov 2026 12:00:00 +0000',
    'Message-ID: <big@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'See attached.',
    '--b',
    'Content-Type: application/octet-stream; name="big.bin"',
    'Content-Disposition: attachment; filename="big.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    b64,
    '--b--',
    '',
  ].join('\r\n'),
)
const mib = (n: number) => (n / 1024 / 1024).toFixed(1)
global.gc?.()
const before = process.memoryUsage().rss
const t0 = performance.now()
const { document, attachments } = await normalizeMessage(raw, {
  id: 'bench',
  mailbox: 'bench',
  receivedAt: new Date().toISOString(),
  attachmentKey: (a, n) => `${a}/${n}`,
})
const ms = performance.now() - t0
const peak = process.resourceUsage().maxRSS * 1024
if (attachments[0]?.size !== content.length || document.parseError) throw new Error('attachment not decoded whole')
console.log(
  `raw ${mib(raw.length)} MiB, attachment ${mib(content.length)} MiB, ${ms.toFixed(0)} ms, rss before ${mib(before)} MiB, peak rss ${mib(peak)} MiB (${(peak / raw.length).toFixed(1)}x raw, +${mib(peak - before)} MiB)`,
)
