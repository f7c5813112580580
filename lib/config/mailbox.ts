import { isIP } from 'node:net'
import { z } from 'zod'
import { Schedule } from './schedule.js'
import { SecretValue } from './secret-ref.js'

/** Ids go into object keys (`inbound/<id>/...`), so they are restricted to key-safe characters. */
export const ResourceId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, - or _, starting with a letter or digit')

/** True for hosts whose traffic never leaves the machine: `localhost`, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/**
 * What the first poll of a mailbox takes: every message already there (`all`), nothing already there (`none`:
 * only mail that arrives later), or mail the server received since a date (`{ "since": "2026-01-31" }`, by the
 * IMAP internal date, RFC 3501 §6.4.4 SINCE; never by the sender-set `Date` header).
 */
export const Backfill = z.union([z.enum(['all', 'none']), z.strictObject({ since: z.iso.date() })])
export type Backfill = z.infer<typeof Backfill>

const common = {
  id: ResourceId,
  host: z.string().min(1),
  /** Defaults: IMAP 993 (implicit TLS) or 143; POP3 995 (implicit TLS) or 110. */
  port: z.number().int().min(1).max(65535).optional(),
  /** `implicit`: TLS from the first byte; `starttls`: upgrade required (RFC 3501 §6.2.1); `none`: loopback hosts only. */
  tls: z.enum(['implicit', 'starttls', 'none']).default('implicit'),
  user: z.string().min(1),
  /** Give it as a secret reference: `{ "env": "NAME" }` (resolved at load) or `{ "ssm": "/name" }` (read at connect). */
  password: SecretValue,
  /** PEM CA bundle trusted for this server's certificate, in addition to the system's. */
  ca: z.string().optional(),
  /** TLS server name to verify, when it differs from `host`. */
  servername: z.string().optional(),
  schedule: Schedule.default({ everyMs: 300_000 }),
  backfill: Backfill.default('all'),
  /** Socket inactivity and connect timeout, in ms. */
  timeoutMs: z.number().int().positive().default(60_000),
}

export const ImapMailbox = z.strictObject({
  protocol: z.literal('imap'),
  ...common,
  folders: z.array(z.string().min(1)).min(1).default(['INBOX']),
  /** After a message is stored: leave it, set `\Seen`, or move it to `moveTo`. Never deleted. */
  afterStore: z.enum(['nothing', 'seen', 'move']).default('nothing'),
  moveTo: z.string().min(1).optional(),
  /** Fetch batches: at most this many messages, and this many bytes (RFC822.SIZE) unless one message is larger. */
  batch: z
    .strictObject({
      maxMessages: z.number().int().min(1).max(1000).default(50),
      maxBytes: z
        .number()
        .int()
        .min(1024)
        .default(16 * 1024 * 1024),
    })
    .prefault({}),
})

export const Pop3Mailbox = z.strictObject({
  protocol: z.literal('pop3'),
  ...common,
  /** DELE each message once its objects are stored (RFC 1939 §5); off by default. */
  deleteAfterStore: z.boolean().default(false),
  /** Most UIDLs remembered; the record is also pruned to what the server still lists. */
  maxSeenUidls: z.number().int().min(100).default(100_000),
})

const DEFAULT_PORTS = { imap: { tls: 993, plain: 143 }, pop3: { tls: 995, plain: 110 } } as const

/** One polled mailbox (IMAP RFC 3501 or POP3 RFC 1939). The parsed value always has a `port`. */
export const Mailbox = z
  .discriminatedUnion('protocol', [ImapMailbox, Pop3Mailbox])
  .superRefine((m, ctx) => {
    if (m.tls === 'none' && !isLoopbackHost(m.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `tls "none" is only allowed for loopback hosts (localhost, 127.0.0.1, ::1), not ${m.host}: the password would cross the network in clear`,
      })
    }
    if (m.protocol === 'pop3' && m.tls === 'starttls') {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'POP3 STLS is not supported; use tls "implicit" (port 995)' })
    }
    if (m.protocol === 'pop3' && typeof m.backfill === 'object') {
      ctx.addIssue({ code: 'custom', path: ['backfill'], message: 'POP3 has no arrival dates: backfill must be "all" or "none"' })
    }
    if (m.protocol === 'imap' && m.afterStore === 'move' && !m.moveTo) {
      ctx.addIssue({ code: 'custom', path: ['moveTo'], message: 'afterStore "move" needs moveTo, the folder to move stored messages to' })
    }
    if (m.protocol === 'imap' && m.afterStore === 'move' && m.moveTo && m.folders.includes(m.moveTo)) {
      ctx.addIssue({ code: 'custom', path: ['moveTo'], message: 'moveTo must not be one of the polled folders' })
    }
  })
  .transform((m) => ({ ...m, port: m.port ?? DEFAULT_PORTS[m.protocol][m.tls === 'implicit' ? 'tls' : 'plain'] }))
export type Mailbox = z.infer<typeof Mailbox>
export type ImapMailbox = Extract<Mailbox, { protocol: 'imap' }>
export type Pop3Mailbox = Extract<Mailbox, { protocol: 'pop3' }>
