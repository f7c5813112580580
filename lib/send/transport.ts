import nodemailer, { type Transporter } from 'nodemailer'
import type SMTPPool from 'nodemailer/lib/smtp-pool'
import type { RelayConfig } from '../config/schema.js'

/**
 * A pooled nodemailer SMTP transport to the relay, with AUTH and TLS always on: STARTTLS is required
 * (`requireTLS`) or the connection is implicit TLS. Nothing a request holds can make it read a file or fetch a URL.
 */
export function createRelayTransport(relay: RelayConfig): Transporter {
  const auth =
    relay.auth.method === 'XOAUTH2'
      ? { type: 'OAuth2' as const, user: relay.auth.user, accessToken: relay.auth.accessToken }
      : { user: relay.auth.user, pass: relay.auth.pass }
  return nodemailer.createTransport({
    pool: true,
    host: relay.host,
    port: relay.port,
    secure: relay.tls === 'tls',
    requireTLS: relay.tls === 'starttls',
    auth,
    authMethod: relay.auth.method === 'XOAUTH2' ? undefined : relay.auth.method,
    tls: { ca: relay.ca, rejectUnauthorized: relay.rejectUnauthorized, servername: relay.servername, minVersion: 'TLSv1.2' },
    maxConnections: relay.pool.maxConnections,
    maxMessages: relay.pool.maxMessages,
    connectionTimeout: relay.timeouts.connectionMs,
    greetingTimeout: relay.timeouts.greetingMs,
    socketTimeout: relay.timeouts.socketMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  } as SMTPPool.Options)
}
