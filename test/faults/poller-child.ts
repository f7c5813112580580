// A poller in a process of its own, for kill -9 tests: polls every configured mailbox until a round finds nothing
// new and fails nowhere, then exits 0. Usage: node --import tsx test/faults/poller-child.ts <config.json>
// Prints `ready` once the gateway is built, then one JSON summary line per mailbox and round.
import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { Config } from '../../lib/config/schema.js'
import { createDeps } from '../../lib/deps.js'
import { pollMailboxes } from '../../lib/inbound/poll-all.js'

const deps = createDeps(Config.parse(JSON.parse(readFileSync(process.argv[2], 'utf8'))), { logger: pino({ level: 'silent' }) })
process.stdout.write('ready\n')
for (;;) {
  const summaries = await pollMailboxes(deps)
  for (const s of summaries) process.stdout.write(`${JSON.stringify({ ...s, error: s.error?.message ?? null })}\n`)
  if (summaries.every((s) => !s.error && !s.busy && s.found === 0)) break
}
