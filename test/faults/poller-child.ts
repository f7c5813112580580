// A poller in a process of its own, for kill -9 and memory tests: polls every configured mailbox until a round
// finds nothing new and fails nowhere, then exits 0. Usage: node --import tsx test/faults/poller-child.ts <config.json>
// Prints `ready` once the gateway is built, one JSON summary line per mailbox and round, and last
// `{"stats":{"maxRssBytes":…,"maxDelayMs":…,"maxBlockedMs":…}}`: the peak RSS of the process, and how long
// the event loop was held while polling (test/security/stall-probe.ts). The watch starts after
// one small message is parsed: modules loaded on first use (mailparser's, iconv-lite's tables) cost a new process
// once, whatever the mail, and are not what this measures.
import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { Config } from '../../lib/config/schema.js'
import { createDeps } from '../../lib/deps.js'
import { pollMailboxes } from '../../lib/inbound/poll-all.js'
import { normalizeMessage } from '../../lib/normalize/normalize.js'
import { startStallProbe } from '../security/stall-probe.js'

/**
 * Peak RSS of this program, in bytes: Linux VmHWM. Not getrusage's maxRSS: across fork and exec Linux keeps the
 * larger of the parent's RSS at the fork and the child's, so a child of a big test process reports the parent's.
 */
function peakRss(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
  return hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024
}

const deps = createDeps(Config.parse(JSON.parse(readFileSync(process.argv[2], 'utf8'))), { logger: pino({ level: 'silent' }) })
process.stdout.write('ready\n')
const warmUp = 'Subject: =?ISO-2022-JP?B?GyRCJEMbKEI=?=\r\nContent-Type: text/html; charset=gbk\r\n\r\n<p>\xc4\xe3 warm-up</p>\r\n'
await normalizeMessage(Buffer.from(warmUp, 'latin1'), { id: 'warm-up', mailbox: 'warm-up', receivedAt: new Date().toISOString(), attachmentKey: () => 'none' })
const probe = startStallProbe()
for (;;) {
  const summaries = await pollMailboxes(deps)
  for (const s of summaries) process.stdout.write(`${JSON.stringify({ ...s, error: s.error?.message ?? null })}\n`)
  if (summaries.every((s) => !s.error && !s.busy && s.found === 0)) break
}
const stats = { maxRssBytes: peakRss(), ...probe.stop() }
process.stdout.write(`${JSON.stringify({ stats })}\n`)
