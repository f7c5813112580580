import SMTPConnection from 'nodemailer/lib/smtp-connection'
import type { RelayConfig } from '../config/schema.js'

/** What the relay advertises in its EHLO reply after TLS (RFC 5321 §4.1.1.1), upper-case keywords. */
export type RelayExtensions = ReadonlySet<string>

/** How long a relay's extensions are remembered, in ms: an upgrade of the relay is seen within this time. */
const TTL_MS = 10 * 60_000
const cache = new WeakMap<RelayConfig, { at: number; extensions: Promise<RelayExtensions> }>()

/**
 * Opens one connection to the relay as delivery would (TLS as configured, no AUTH, no mail), reads the extensions
 * of its EHLO reply (after STARTTLS, when used) and says QUIT. nodemailer sends a non-ASCII MAIL FROM or RCPT TO
 * whether or not the relay offers SMTPUTF8 (RFC 6531), so delivery asks first when a message needs it.
 * @throws nodemailer's connection error (ECONNECTION, ETLS...) when the relay cannot be reached.
 */
function probe(relay: RelayConfig): Promise<RelayExtensions> {
  return new Promise((resolve, reject) => {
    const conn = new SMTPConnection({
      host: relay.host,
      port: relay.port,
      secure: relay.tls === 'tls',
      requireTLS: relay.tls === 'starttls',
      tls: { ca: relay.ca, rejectUnauthorized: relay.rejectUnauthorized, servername: relay.servername, minVersion: 'TLSv1.2' },
      connectionTimeout: relay.timeouts.connectionMs,
      greetingTimeout: relay.timeouts.greetingMs,
      socketTimeout: relay.timeouts.socketMs,
    })
    conn.once('error', reject)
    conn.connect(() => {
      const extensions = new Set(((conn as unknown as { _supportedExtensions?: string[] })._supportedExtensions ?? []).map((e) => e.toUpperCase()))
      conn.quit()
      resolve(extensions)
    })
  })
}

/** The relay's EHLO extensions, probed at most once per TTL_MS for a relay config (a failed probe is not kept). */
export function relayExtensions(relay: RelayConfig, now: number): Promise<RelayExtensions> {
  const hit = cache.get(relay)
  if (hit && now - hit.at < TTL_MS) return hit.extensions
  const extensions = probe(relay)
  cache.set(relay, { at: now, extensions })
  extensions.catch(() => cache.delete(relay))
  return extensions
}
