// Receiving: one schedule per mailbox of the stage config, at that mailbox's own rate, all sharing one poll
// function; and a one-minute webhook delivery run over the outbox, so a slow endpoint never delays a poll.
// Overlapping polls of one mailbox are safe: each takes the mailbox lease (docs/inbound.md).
import { ImapMailbox } from '../lib/config/mailbox.js'
import type { FunctionDefaults } from './function-defaults.js'
import { pascalName } from './names.js'
import type { StageConfig } from './stage-config.js'

/**
 * EventBridge form of a mailbox `schedule` as lib/config reads it (same field and default for IMAP and POP3):
 * rounded up to whole minutes, EventBridge's smallest step. Throws the zod error for a bad schedule.
 */
export function eventBridgeRate(schedule: unknown): `rate(${string})` {
  const { everyMs } = ImapMailbox.shape.schedule.parse(schedule)
  const minutes = Math.max(1, Math.ceil(everyMs / 60_000))
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`
}

export function createInbound(defaults: FunctionDefaults, config: StageConfig) {
  if (config.mailboxes.length === 0) return { polls: [], webhooks: null }
  const poller = new sst.aws.Function('Poll', {
    ...defaults,
    handler: 'functions/poll.handler',
    timeout: '15 minutes',
    memory: '1024 MB',
  })
  const polls = config.mailboxes.map(
    (mb) =>
      new sst.aws.Cron(`Poll${pascalName(mb.id)}`, {
        schedule: eventBridgeRate(mb.schedule),
        function: poller,
        event: { mailbox: mb.id },
      }),
  )
  const webhooks = config.hasWebhooks
    ? new sst.aws.Cron('Webhooks', {
        schedule: 'rate(1 minute)',
        function: { ...defaults, handler: 'functions/webhooks.handler', timeout: '5 minutes' },
      })
    : null
  return { polls, webhooks }
}
