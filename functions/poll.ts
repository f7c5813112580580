// Scheduled Lambda: one poll of every mailbox, or of `event.mailbox` when a schedule targets one.
import { loadConfig } from '../lib/config/load.js'
import { createDeps } from '../lib/deps.js'
import { pollMailboxes } from '../lib/inbound/poll-all.js'

const deps = createDeps(loadConfig(process.env))

export const handler = async (event: { mailbox?: string } = {}) =>
  (await pollMailboxes(deps, event.mailbox ? [event.mailbox] : [])).map((s) => ({ ...s, error: s.error?.message ?? null }))
