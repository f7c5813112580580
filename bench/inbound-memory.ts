// Inbound memory: the peak RSS of a poller process (test/faults/poller-child.ts) ingesting one large message from a
// private Dovecot, over IMAP and over POP3, against the same process ingesting one small message in the same run.
// Targets (issue 8 item 1): peak under 3x the message + 150 MB, and no event-loop stall over 100 ms.
// Usage: npx tsx bench/inbound-memory.ts [MB of the single-line message = 100]
// Needs Debian dovecot-imapd and dovecot-pop3d (test/servers/dovecot.ts starts a private instance).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deliverToMaildir } from '../test/faults/maildir.js'
import { runPoller } from '../test/faults/poller-process.js'
import { dovecotMailbox } from '../test/inbound/harness.js'
import { startDovecot } from '../test/servers/dovecot.js'
import { longLine } from '../test/security/bad-inputs.js'

const MB = 1024 * 1024
const size = Number(process.argv[2] ?? 100) * MB
const small = Buffer.from('From: s@example.test\r\nSubject: small\r\nMessage-ID: <small@example.test>\r\n\r\nsmall\r\n')
/** A body of control bytes in a 40 MB message: under the size limit, its JSON would be six times as long. */
const controlBytes = Buffer.concat([
  Buffer.from('From: s@example.test\r\nSubject: control bytes\r\nMessage-ID: <ctl@example.test>\r\n\r\n'),
  Buffer.alloc(40 * MB, 1),
  Buffer.from('\r\n'),
])
/** 40 MB of plain text: parsed normally. */
const text = Buffer.from(
  `From: s@example.test\r\nSubject: text\r\nMessage-ID: <text@example.test>\r\n\r\n${'lorem ipsum dolor sit amet\r\n'.repeat((40 * MB) / 28)}`,
)

const dovecot = await startDovecot()
const dir = await mkdtemp(join(tmpdir(), 'bench-inbound-memory-'))
let n = 0
async function peak(protocol: 'imap' | 'pop3', messages: Buffer[]) {
  const u = await dovecot.addUser(`mem${++n}@example.test`)
  await deliverToMaildir(dovecot, u, messages)
  const configPath = join(dir, `${n}.json`)
  const mailbox = dovecotMailbox(dovecot, u, protocol, { id: `mem${n}` })
  await writeFile(configPath, JSON.stringify({ store: { driver: 'fs', dir: join(dir, `store${n}`) }, logLevel: 'silent', mailboxes: [mailbox] }))
  const run = await runPoller(configPath)
  if (run.code !== 0 || !run.stats) throw new Error(`poller exited ${run.code ?? run.signal}`)
  return run.stats
}

const fmt = (b: number) => `${Math.round(b / MB)} MB`
console.log(`message                             proto  peak RSS  over idle  bound (3x+150)  longest stall (CPU) / delay`)
try {
  for (const protocol of ['imap', 'pop3'] as const) {
    const idle = await peak(protocol, [small])
    console.log(`${'one small message (baseline)'.padEnd(36)}${protocol.padEnd(7)}${fmt(idle.maxRssBytes).padStart(8)}`)
    for (const [name, raw] of [
      [`${size / MB} MB single line (too_large)`, longLine(size)],
      ['40 MB control bytes (too big JSON)', controlBytes],
      ['40 MB plain text (parsed)', text],
    ] as const) {
      const s = await peak(protocol, [small, raw])
      console.log(
        `${name.padEnd(36)}${protocol.padEnd(7)}${fmt(s.maxRssBytes).padStart(8)}${fmt(s.maxRssBytes - idle.maxRssBytes).padStart(11)}${fmt(3 * raw.length + 150 * MB).padStart(16)}  ${s.maxBlockedMs} / ${s.maxDelayMs} ms`,
      )
    }
  }
} finally {
  await dovecot.close()
  await rm(dir, { recursive: true, force: true })
}
