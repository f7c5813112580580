import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server'
import { testTls } from './tls.js'

/** A message as the server received it: the envelope (MAIL FROM/RCPT TO), the user who authenticated, the exact bytes. */
export interface ReceivedMessage {
  mailFrom: string
  rcptTo: string[]
  user: string | undefined
  /** Whether MAIL FROM carried the SMTPUTF8 parameter (RFC 6531 §3.4). */
  smtpUtf8: boolean
  secure: boolean
  raw: Buffer
}

/** An SMTP reply to send instead of accepting: an Error with responseCode is how smtp-server answers. */
export const smtpReply = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code })

export interface SmtpBehaviour {
  /** Called per RCPT TO; return a reply to refuse that recipient. */
  rcpt?(address: string, session: SMTPServerSession): Error | undefined
  /** Called after DATA was read; return a reply to refuse the message, or 'drop' to close the socket without replying. */
  data?(raw: Buffer, session: SMTPServerSession): Error | 'drop' | undefined
  /** Awaited after DATA was read and before the reply: holds the transaction (an attempt in flight). */
  hold?(): Promise<void>
  /** Called at MAIL FROM. */
  mail?(address: string): Error | undefined
  /** Reply to the connection's greeting instead of 220 (e.g. 421 busy). */
  connect?(): Error | undefined
  options?: Partial<SMTPServerOptions>
}

export interface SmtpTestServer {
  host: string
  port: number
  user: string
  pass: string
  /** PEM certificate the server presents; clients trust it as their CA. */
  ca: string
  received: ReceivedMessage[]
  /** Every command line clients sent, as on the wire (smtp-server masks AUTH secrets). */
  commands: string[]
  /** Connection errors the server reported (a client killed mid-session resets its socket). */
  errors: Error[]
  /** Replace the server's behaviour mid-test (e.g. fail, then recover). */
  behave(b: SmtpBehaviour): void
  close(): Promise<void>
}

/**
 * A real SMTP server (npm smtp-server) on 127.0.0.1:0 that requires AUTH PLAIN/LOGIN after STARTTLS with a
 * self-signed certificate, and records what it accepted. `secure: true` makes it implicit TLS instead.
 */
export async function startSmtp(behaviour: SmtpBehaviour = {}, opts: { secure?: boolean } = {}): Promise<SmtpTestServer> {
  const tls = await testTls()
  const received: ReceivedMessage[] = []
  const commands: string[] = []
  const errors: Error[] = []
  let b = behaviour
  const quiet = () => {}
  const logger = {
    info: quiet,
    warn: quiet,
    error: quiet,
    trace: quiet,
    fatal: quiet,
    debug: (_meta: unknown, fmt: string, line: string) => {
      if (fmt === 'C:') commands.push(line)
    },
  }
  const user = 'relay'
  const pass = 'relay-secret'
  const server: SMTPServer = new SMTPServer({
    secure: opts.secure ?? false,
    key: tls.key,
    cert: tls.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    logger: logger as unknown as SMTPServerOptions['logger'],
    size: 60 * 1024 * 1024,
    // Pooled clients keep connections open; don't wait the default 30 s for them on close.
    closeTimeout: 200,
    onConnect(_session, cb) {
      cb(b.connect?.() ?? undefined)
    },
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user: auth.username })
      else cb(smtpReply(535, '5.7.8 Authentication credentials invalid'))
    },
    onMailFrom(address, _session, cb) {
      cb(b.mail?.(address.address) ?? undefined)
    },
    onRcptTo(address, session, cb) {
      cb(b.rcpt?.(address.address, session) ?? undefined)
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', async () => {
        await b.hold?.()
        const raw = Buffer.concat(chunks)
        const verdict = b.data?.(raw, session)
        if (verdict === 'drop') {
          for (const conn of (server as unknown as { connections: Set<{ session: SMTPServerSession; _socket: { destroy(): void } }> }).connections) {
            if (conn.session.id === session.id) conn._socket.destroy()
          }
          // The message was taken before the drop: record it, as a real relay may have queued it.
          received.push(record(raw, session))
          return
        }
        if (verdict) return cb(verdict)
        received.push(record(raw, session))
        cb(null, '2.0.0 Ok: queued')
      })
    },
    ...b.options,
  })
  // Without a listener, a client that dies mid-session would be an uncaught error in the test process.
  server.on('error', (err) => errors.push(err))
  const record = (raw: Buffer, session: SMTPServerSession): ReceivedMessage => ({
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    user: session.user as string | undefined,
    smtpUtf8: Boolean(
      (session.envelope.mailFrom ? session.envelope.mailFrom.args : {}) && (session.envelope.mailFrom as { args?: Record<string, unknown> }).args?.SMTPUTF8,
    ),
    secure: session.secure,
    raw,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  // A client killed mid-session resets its connection; smtp-server reports that as an 'error' of the server.
  server.on('error', () => {})
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port
  return {
    host: '127.0.0.1',
    port,
    user,
    pass,
    ca: tls.cert,
    received,
    commands,
    errors,
    behave: (next) => (b = next),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
