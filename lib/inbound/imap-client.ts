import { isIP } from 'node:net'
import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import type { ImapMailbox } from '../config/mailbox.js'
import type { Resolved } from '../config/secret-ref.js'

/**
 * imapflow options for a configured mailbox: `implicit` is TLS from the first byte, `starttls` requires the
 * upgrade (RFC 3501 §6.2.1; imapflow `doSTARTTLS: true`), `none` never upgrades (loopback only, see the schema).
 * Timeouts bound connect, greeting and socket inactivity, so no command waits forever (imapflow #252).
 */
export function imapOptions(m: Resolved<ImapMailbox, 'password'>): ImapFlowOptions {
  return {
    host: m.host,
    port: m.port,
    secure: m.tls === 'implicit',
    doSTARTTLS: m.tls === 'starttls' ? true : m.tls === 'none' ? false : undefined,
    auth: { user: m.user, pass: m.password },
    // SNI takes host names only: Node deprecates an IP address there (DEP0123).
    tls: { ca: m.ca, servername: m.servername ?? (isIP(m.host) ? undefined : m.host), rejectUnauthorized: true },
    logger: false,
    connectionTimeout: m.timeoutMs,
    greetingTimeout: m.timeoutMs,
    socketTimeout: m.timeoutMs,
    disableAutoIdle: true,
  }
}

export const createImapClient = (m: Resolved<ImapMailbox, 'password'>) => new ImapFlow(imapOptions(m))
