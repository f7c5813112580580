import { isIP } from 'node:net'
import type { Readable } from 'node:stream'
import Pop3Command from 'node-pop3'
import type { Pop3Mailbox } from '../config/mailbox.js'
import type { Resolved } from '../config/secret-ref.js'

const DOT = 0x2e
const CRLF = Buffer.from('\r\n')
/** A line longer than this cannot be the terminator, so it is passed on before its end arrives. */
const MAX_CARRY = 64 * 1024

/**
 * node-pop3's Pop3Command with the multi-line reader replaced (RFC 1939 §3): the terminating `CRLF . CRLF` is
 * found as a whole line even when TCP splits it across chunks, and leading dots are un-stuffed, both of which
 * node-pop3 0.11.0 gets wrong (PITFALLS "POP3"). Bytes are never decoded: `retr` returns the exact message.
 */
export class Pop3Client extends Pop3Command {
  private carry: Buffer = Buffer.alloc(0)
  private midLine = false

  _updateStream(): Readable {
    this.carry = Buffer.alloc(0)
    this.midLine = false
    return super._updateStream()
  }

  _pushStream(chunk: Buffer): void {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk
    const out: Buffer[] = []
    let start = 0
    for (let eol = data.indexOf(CRLF, start); eol >= 0; eol = data.indexOf(CRLF, start)) {
      const line = data.subarray(start, eol + 2)
      start = eol + 2
      if (this.midLine) {
        out.push(line)
        this.midLine = false
      } else if (line.length === 3 && line[0] === DOT) {
        this.carry = Buffer.alloc(0)
        this.emitLines(out)
        this._endStream()
        return
      } else {
        out.push(line[0] === DOT ? line.subarray(1) : line)
      }
    }
    let rest = data.subarray(start)
    if (rest.length > MAX_CARRY) {
      out.push(!this.midLine && rest[0] === DOT ? rest.subarray(1) : rest)
      this.midLine = true
      rest = Buffer.alloc(0)
    }
    this.carry = Buffer.from(rest)
    this.emitLines(out)
  }

  private emitLines(out: Buffer[]) {
    const stream: Readable | null = this._stream
    if (out.length && stream) stream.push(Buffer.concat(out))
  }

  /**
   * Bounds one exchange by `timeout` ms: node-pop3 0.11.0 leaves a command waiting forever when the socket times
   * out after login (it emits 'end', which commands do not listen to). On expiry the socket is destroyed.
   */
  private guard<T>(what: string, p: Promise<T>): Promise<T> {
    const ms = this.timeout
    if (!ms) return p
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this._socket?.destroy()
        reject(new Error(`POP3 ${what}: no answer from ${this.host}:${this.port} within ${ms} ms`))
      }, ms)
    })
    return Promise.race([p, expired]).finally(() => clearTimeout(timer))
  }

  /** Logs in when needed; returns the server's reply to PASS. Throws on a `-ERR` reply, a socket error or a timeout. */
  login(): Promise<string> {
    return this.guard('login', this._connect())
  }

  /** RETR (RFC 1939 §5): the message's exact bytes. A stalled transfer ends by the socket's inactivity timeout. */
  async retr(msgNumber: number): Promise<Buffer> {
    await this.login()
    const [, stream] = (await this.guard('RETR', this.command('RETR', msgNumber))) as [string, Readable]
    const chunks: Buffer[] = []
    for await (const c of stream) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  }

  /** DELE (RFC 1939 §5): marks a message deleted; QUIT commits it. */
  async dele(msgNumber: number): Promise<void> {
    await this.guard('DELE', this.DELE(msgNumber))
  }

  /** QUIT (RFC 1939 §6): commits DELEs and ends the session. */
  async quit(): Promise<void> {
    await this.guard('QUIT', this.QUIT())
  }

  /** UIDL (RFC 1939 §7) as message number → unique id; null when the server lacks UIDL (`-ERR`). */
  async uidls(): Promise<Map<number, string> | null> {
    await this.login()
    let listed: string[][]
    try {
      listed = (await this.guard('UIDL', this.UIDL())) as string[][]
    } catch (err) {
      if ((err as { eventName?: string }).eventName === 'error') return null
      throw err
    }
    return new Map(listed.filter((l) => l.length >= 2).map(([n, id]) => [Number(n), id]))
  }

  /** LIST (RFC 1939 §5): message number → size in octets, in ascending message number. */
  async sizes(): Promise<Map<number, number>> {
    await this.login()
    const listed = (await this.guard('LIST', this.LIST())) as string[][]
    return new Map(listed.filter((l) => l.length >= 2).map(([n, size]) => [Number(n), Number(size)]))
  }
}

export const createPop3Client = (m: Resolved<Pop3Mailbox, 'password'>) =>
  new Pop3Client({
    host: m.host,
    port: m.port,
    tls: m.tls === 'implicit',
    user: m.user,
    password: m.password,
    timeout: m.timeoutMs,
    servername: m.servername ?? (isIP(m.host) ? undefined : m.host),
    tlsOptions: m.ca ? { ca: m.ca } : {},
  })
