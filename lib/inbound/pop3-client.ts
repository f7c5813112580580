import { isIP, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import Pop3Command from 'node-pop3'
import type { Pop3Mailbox } from '../config/mailbox.js'
import type { Resolved } from '../config/secret-ref.js'

const DOT = 0x2e
const CR = 0x0d
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
  private watched: Socket | null = null
  /** The start of a status line whose CRLF has not arrived yet. */
  private statusHead: Buffer | null = null

  /**
   * node-pop3 0.11.0 reads a status line (`+OK ...`, `-ERR ...`) from one `data` chunk: cut by TCP before its CRLF,
   * the rest of the line became the first bytes of the RETRieved message. Until a reply stream is open, chunks are
   * held back here until the status line is whole. node-pop3 makes the socket synchronously inside _connect()
   * (its connect() runs before the first await), so it is patched before any data arrives.
   */
  _connect(): Promise<string> {
    const had = this._socket
    const connected = super._connect()
    const socket = this._socket as Socket | null
    if (!socket || socket === had) return connected
    this.statusHead = null
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'data' || this._stream) return emit(event, ...args)
      const chunk = this.statusHead ? Buffer.concat([this.statusHead, args[0] as Buffer]) : (args[0] as Buffer)
      this.statusHead = chunk.indexOf(CRLF) < 0 ? chunk : null
      return this.statusHead ? true : emit('data', chunk)
    }) as Socket['emit']
    return connected
  }

  /**
   * The reply stream of a multi-line command, with backpressure: the socket pauses while the reader has a full
   * buffer and resumes when it reads, so a slow consumer (a store upload) does not make the reply pile up.
   */
  _updateStream(): Readable {
    this.carry = Buffer.alloc(0)
    this.midLine = false
    this._stream = new Readable({ read: () => (this._socket as Socket | null)?.resume() })
    return this._stream
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
    if (this.midLine || rest.length > MAX_CARRY) {
      // Inside a line too long to be the terminator: pass it on as it comes, keeping back only a final CR, which
      // may be the first half of the line's CRLF.
      const keep = rest[rest.length - 1] === CR ? 1 : 0
      const pass = rest.subarray(0, rest.length - keep)
      if (pass.length) {
        out.push(!this.midLine && pass[0] === DOT ? pass.subarray(1) : pass)
        this.midLine = true
      }
      rest = rest.subarray(rest.length - keep)
    }
    this.carry = Buffer.from(rest)
    this.emitLines(out)
  }

  /** The reply is complete: a socket paused for backpressure must read the next reply. */
  _endStream(err?: Error): void {
    ;(this._socket as Socket | null)?.resume()
    super._endStream(err)
  }

  private emitLines(out: Buffer[]) {
    const stream: Readable | null = this._stream
    if (out.length && stream && !stream.push(out.length === 1 ? out[0] : Buffer.concat(out))) (this._socket as Socket | null)?.pause()
  }

  /**
   * node-pop3 0.11.0 leaves a reply stream open forever when the connection closes in the middle of it (a dropped
   * RETR): end it with an error instead, so the reader fails rather than waits.
   */
  private watchSocket() {
    const socket = this._socket as Socket | null
    if (!socket || socket === this.watched) return
    this.watched = socket
    socket.once('close', () => {
      const stream: Readable | null = this._stream
      this._stream = null
      stream?.destroy(new Error(`POP3 connection to ${this.host}:${this.port} closed in the middle of a reply`))
    })
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
  async login(): Promise<string> {
    const info = await this.guard('login', this._connect())
    this.watchSocket()
    return info
  }

  /**
   * RETR (RFC 1939 §5): a stream of the message's exact bytes, to be read to its end before the next command.
   * It fails when the connection closes before the terminating line; a stalled transfer ends by the socket's
   * inactivity timeout.
   */
  async retrStream(msgNumber: number): Promise<Readable> {
    await this.login()
    const [, stream] = (await this.guard('RETR', this.command('RETR', msgNumber))) as [string, Readable]
    return stream
  }

  /** RETR (RFC 1939 §5): the message's exact bytes, in one buffer. */
  async retr(msgNumber: number): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const c of await this.retrStream(msgNumber)) chunks.push(c as Buffer)
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
