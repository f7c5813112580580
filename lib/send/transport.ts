import nodemailer, { type Transporter } from 'nodemailer'
import type SMTPPool from 'nodemailer/lib/smtp-pool'
import type { RelayConfig } from '../config/schema.js'

/**
 * Mail options may carry `onWritten`: called when the composed message has been read to its end by the SMTP
 * connection, i.e. all of it has gone to the socket. A drop after that is ambiguous (the relay may have queued it);
 * nodemailer reports it only as a connection error.
 */
export interface WrittenHook {
  onWritten?: () => void
}

/**
 * A pooled nodemailer SMTP transport to the relay, with AUTH and TLS always on: STARTTLS is required
 * (`requireTLS`) or the connection is implicit TLS. Nothing a request holds can make it read a file or fetch a URL.
 * nodemailer composes each message once, in its own pipeline; a `stream` plugin reports the end of its output
 * (WrittenHook) through MimeNode.processFunc, the hook nodemailer gives DKIM signing.
 */
export function createRelayTransport(relay: RelayConfig): Transporter {
  const auth =
    relay.auth.method === 'XOAUTH2'
      ? { type: 'OAuth2' as const, user: relay.auth.user, accessToken: relay.auth.accessToken }
      : { user: relay.auth.user, pass: relay.auth.pass }
  const transport = nodemailer.createTransport({
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
  transport.use('stream', (mail, done) => {
    const onWritten = (mail.data as WrittenHook).onWritten
    if (onWritten)
      mail.message.processFunc((output) => {
        output.once('end', onWritten)
        return output
      })
    done()
  })
  return transport
}
