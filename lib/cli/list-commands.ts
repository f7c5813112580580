import { cellText, type Column } from './table.js'

/** One filter flag of a list command: the flag, the query parameter it sets, and whether it is a time. */
export interface Filter {
  flag: string
  param: string
  help: string
  time?: boolean
}

/** A CLI command that lists one API collection (`{ data, nextCursor }` answers) as a table or JSON lines. */
export interface ListCommand {
  name: string
  description: string
  path: string
  filters: Filter[]
  columns: Column<Record<string, unknown>>[]
}

const since: Filter = { flag: '--since <time>', param: 'since', help: 'at or after: 30m, 1h, 2d (ago) or ISO 8601', time: true }
const until: Filter = { flag: '--until <time>', param: 'until', help: 'before: 30m, 1h, 2d (ago) or ISO 8601', time: true }
const field = (title: string, name: string, max?: number): Column<Record<string, unknown>> => ({ title, value: (r) => r[name], max })

/** A delivery's last attempt in a few words: `HTTP 503 down for maintenance`, `timeout`. */
const lastAnswer = (a: Record<string, unknown> | null) =>
  a
    ? [a.statusCode === null ? null : `HTTP ${a.statusCode}`, a.statusCode === null ? a.reason : a.responseExcerpt]
        .filter((v) => v)
        .map(cellText)
        .join(' ')
    : null

/** `messages`, `inbound` and `webhooks`: the API's list routes with their filters (issue 11, docs/api.md). */
export const LIST_COMMANDS: ListCommand[] = [
  {
    name: 'messages',
    description: 'list outbound messages, newest first (GET /v1/messages)',
    path: 'v1/messages',
    filters: [
      { flag: '--status <status>', param: 'status', help: 'scheduled, queued, sent, deferred, failed, bounced, canceled (comma-separated for several)' },
      { flag: '--to <address>', param: 'to', help: 'a recipient (to, cc or bcc)' },
      { flag: '--from <address>', param: 'from', help: 'the From address' },
      { flag: '--tag <tag>', param: 'tag', help: 'a tag' },
      since,
      until,
    ],
    columns: [
      field('created', 'createdAt'),
      field('id', 'id', 26),
      field('status', 'status'),
      field('from', 'from', 30),
      field('to', 'to', 40),
      field('subject', 'subject', 40),
      field('attempts', 'attempts'),
      field('reason', 'reason', 30),
    ],
  },
  {
    name: 'inbound',
    description: 'list received messages, newest first (GET /v1/inbound)',
    path: 'v1/inbound',
    filters: [
      { flag: '--mailbox <id>', param: 'mailbox', help: 'a configured mailbox id' },
      { flag: '--from <address>', param: 'from', help: 'the From address' },
      { flag: '--to <address>', param: 'to', help: 'a To or Cc address' },
      { flag: '--subject <text>', param: 'subject', help: 'a part of the subject' },
      since,
      until,
    ],
    columns: [
      field('received', 'receivedAt'),
      field('id', 'id', 33),
      field('mailbox', 'mailbox', 20),
      field('from', 'from', 30),
      field('subject', 'subject', 50),
      field('attachments', 'attachments'),
    ],
  },
  {
    name: 'webhooks',
    description: 'list webhook deliveries, newest first (GET /v1/webhooks/deliveries)',
    path: 'v1/webhooks/deliveries',
    filters: [
      { flag: '--status <status>', param: 'status', help: 'pending, succeeded, failed, dead' },
      { flag: '--endpoint <id>', param: 'endpoint', help: 'a configured endpoint id' },
      { flag: '--type <type>', param: 'type', help: 'an event type (message.received, message.failed, ...)' },
      since,
    ],
    columns: [
      field('event time', 'eventCreatedAt'),
      field('id', 'id', 60),
      field('endpoint', 'endpointId', 20),
      field('type', 'type', 20),
      field('status', 'status'),
      field('attempts', 'attemptCount'),
      { title: 'last answer', value: (r) => lastAnswer(r.lastAttempt as Record<string, unknown> | null), max: 40 },
    ],
  },
]
