import type { Deps } from '../deps.js'
import { pollAndRecord } from './last-poll.js'
import type { PollSummary } from './poll-summary.js'

/**
 * One poll of the named mailboxes (all when `ids` is empty), concurrently; one mailbox's failure is in its own
 * summary and does not stop the others. Throws only for an id that is not configured.
 */
export async function pollMailboxes(deps: Deps, ids: string[] = []): Promise<PollSummary[]> {
  const boxes = ids.length ? ids.map((id) => findMailbox(deps, id)) : deps.config.mailboxes
  const summaries = await Promise.all(boxes.map((mb) => pollAndRecord(deps, mb)))
  for (const s of summaries) {
    if (s.error) deps.logger.error({ mailbox: s.mailbox, err: s.error.message }, 'poll failed')
    else deps.logger.info({ ...s, error: undefined }, 'poll done')
  }
  return summaries
}

/** The configured mailbox with this id; throws an Error naming the configured ids otherwise. */
export function findMailbox(deps: Deps, id: string) {
  const mb = deps.config.mailboxes.find((m) => m.id === id)
  if (!mb) throw new Error(`no mailbox "${id}" in the config (configured: ${deps.config.mailboxes.map((m) => m.id).join(', ') || 'none'})`)
  return mb
}
