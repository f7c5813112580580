import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import type { RelayConfig } from '../config/schema.js'
import type { ObjectStore } from '../store/object-store.js'
import { sandboxKeys } from '../store/keys.js'
import { selfSignedLocalhost } from '../tls/self-signed.js'
import { simulatedComplaint, simulatedDsn } from './simulated-reports.js'
import { simulated } from './simulator.js'

export interface SmtpSandbox {
  /** A relay config pointing at the sandbox (STARTTLS, AUTH PLAIN, the sandbox's own CA). */
  relay: RelayConfig
  port: number
  /**
   * Where the simulator's reports go (bounces and complaints for `bounced-later@`, `delayed-later@`, `complained@`
   * simulator.postern.test): the same linking a polled mailbox's reports get. Unset: they are dropped.
   */
  onReport(handler: (raw: Buffer) => void): void
  close(): Promise<void>
}

/** The Message-ID header of a message, or null. */
const messageIdOf = (raw: Buffer) => /^message-id:\s*(<[^>\r\n]*>)/im.exec(raw.toString('latin1').split(/\r?\n\r?\n/)[0])?.[1] ?? null

/**
 * The local sandbox relay used by `npm start` when no relay is configured: a real SMTP server on loopback that
 * requires STARTTLS and AUTH like a production relay, and keeps each message it receives, byte for byte, under
 * `sandbox/` in the store. The password is random per start; the certificate is self-signed.
 * Falls back to a free port when `port` is taken.
 */
export async function startSmtpSandbox(store: ObjectStore, port: number, now: () => number = Date.now): Promise<SmtpSandbox> {
  const tls = await selfSignedLocalhost()
  const user = 'postern'
  const pass = randomBytes(18).toString('base64url')
  let seq = 0
  let report: (raw: Buffer) => void = () => {}
  // Message-IDs the simulator has deferred once: their next attempt is accepted.
  const deferredOnce = new Set<string>()
  const server = new SMTPServer({
    key: tls.key,
    cert: tls.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    logger: false,
    banner: 'Postern sandbox: messages are kept, never delivered',
    onAuth(auth, _s, cb) {
      if (auth.username === user && auth.password === pass) return cb(null, { user })
      cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }))
    },
    onRcptTo(address, _session, cb) {
      const sim = simulated(address.address)
      if (sim?.at === 'rcpt') return cb(Object.assign(new Error(sim.text), { responseCode: sim.code }))
      cb()
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        const rcpts = session.envelope.rcptTo.map((r) => r.address)
        const once = rcpts.map(simulated).find((s) => s?.at === 'rcpt-once')
        const id = messageIdOf(raw) ?? ''
        if (once && once.at === 'rcpt-once' && !deferredOnce.has(id)) {
          deferredOnce.add(id)
          return cb(Object.assign(new Error(once.text), { responseCode: once.code }))
        }
        deferredOnce.delete(id)
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
        for (const r of rcpts) {
          const sim = simulated(r)
          if (sim?.at !== 'later') continue
          const at = now()
          const bytes = sim.report === 'complaint' ? simulatedComplaint(raw, mailFrom, r, at) : simulatedDsn(raw, mailFrom, r, sim.report, at)
          // Later, as a real report would come: after the sender has recorded the message as sent.
          setTimeout(() => report(bytes), 200).unref()
        }
        const key = sandboxKeys.message(now(), ++seq)
        const envelope = { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo: session.envelope.rcptTo.map((r) => r.address) }
        Promise.all([
          store.put(key.raw, raw, { contentType: 'message/rfc822' }),
          store.put(key.envelope, JSON.stringify(envelope, null, 2), { contentType: 'application/json' }),
        ])
          .then(() => cb(null, `2.0.0 Kept in the sandbox as ${key.raw}`))
          .catch((err) => cb(Object.assign(new Error(`4.3.0 Sandbox could not store the message: ${(err as Error).message}`), { responseCode: 451 })))
      })
    },
  })
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  try {
    await listen(port)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    await listen(0)
  }
  const actual = (server as unknown as { server: { address(): AddressInfo } }).server.address().port
  return {
    port: actual,
    relay: {
      host: '127.0.0.1',
      port: actual,
      tls: 'starttls',
      auth: { method: 'PLAIN', user, pass },
      ca: tls.cert,
      servername: 'localhost',
      rejectUnauthorized: true,
      pool: { maxConnections: 5, maxMessages: 100 },
      timeouts: { connectionMs: 10_000, greetingMs: 10_000, socketMs: 60_000 },
    },
    onReport: (handler) => void (report = handler),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
