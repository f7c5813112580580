import { createServer, type AddressInfo, type Socket } from 'node:net'

/**
 * How the server names messages in UIDL (RFC 1939 §7): `stable` gives each message an id of its own for life, as
 * the RFC requires; `number` answers the message number, as some servers do, so ids come back for other messages
 * after a DELE; `none` answers `-ERR` (a server without UIDL).
 */
export type UidlMode = 'stable' | 'number' | 'none'

export interface Pop3TestServer {
  port: number
  /** Messages in the maildrop now, in message-number order. */
  readonly messages: Buffer[]
  /** Every command of every session, in order: `[session, command]`, PASS masked. */
  readonly log: Array<[number, string]>
  /** Adds messages at the end of the maildrop (new mail). */
  add(...raws: Buffer[]): void
  /** Removes the message at this 0-based position, as another client's DELE + QUIT would. */
  remove(index: number): void
  close(): Promise<void>
}

/** RFC 1939 §3: a line that starts with a dot gets one more; the reply ends with CRLF . CRLF. */
function dotStuff(raw: Buffer): Buffer {
  const text = raw.toString('latin1')
  const stuffed = text.replace(/(^|\r\n)\./g, '$1..')
  return Buffer.from(stuffed.endsWith('\r\n') ? `${stuffed}.\r\n` : `${stuffed}\r\n.\r\n`, 'latin1')
}

/**
 * A small POP3 server of the tests' own on 127.0.0.1 (no TLS), for what Dovecot cannot be made to do: a server
 * without UIDL, and one that reuses UIDLs. USER/PASS (any password), STAT, LIST, UIDL, RETR, DELE, RSET, NOOP,
 * QUIT; DELEs take effect at QUIT (RFC 1939 §6) and a session cut before QUIT deletes nothing.
 */
export async function startPop3Server(mode: UidlMode, opts: { splitReplies?: boolean } = {}): Promise<Pop3TestServer> {
  let messages: Array<{ raw: Buffer; uid: number }> = []
  let nextUid = 1
  let sessions = 0
  const log: Array<[number, string]> = []
  const sockets = new Set<Socket>()

  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const session = ++sessions
    // The maildrop as the session saw it at login (message numbers do not shift within a session).
    let drop: Array<{ raw: Buffer; uid: number }> = []
    const deleted = new Set<number>()
    let buffered = ''
    // splitReplies: each reply leaves in two TCP segments cut inside its status line (`+O` | `K ...`), as a busy
    // server's writes may arrive; the writes are chained so that replies never interleave.
    let writing = Promise.resolve()
    const reply = (s: string | Buffer) => {
      if (!opts.splitReplies) return socket.write(s)
      const b = Buffer.from(s)
      writing = writing.then(async () => {
        socket.write(b.subarray(0, 2))
        await new Promise((r) => setTimeout(r, 5))
        socket.write(b.subarray(2))
      })
    }
    const uidlOf = (n: number) => (mode === 'number' ? String(n) : `uid-${drop[n - 1].uid}`)
    const live = (n: number) => n >= 1 && n <= drop.length && !deleted.has(n)

    const handle = (line: string) => {
      const [cmd, arg] = [line.split(' ')[0].toUpperCase(), line.split(' ')[1]]
      log.push([session, cmd === 'PASS' ? 'PASS ***' : line])
      const n = Number(arg)
      switch (cmd) {
        case 'USER':
          return reply('+OK\r\n')
        case 'PASS':
          drop = [...messages]
          return reply(`+OK ${drop.length} messages\r\n`)
        case 'STAT': {
          const nums = drop.map((_, i) => i + 1).filter(live)
          return reply(`+OK ${nums.length} ${nums.reduce((a, i) => a + drop[i - 1].raw.length, 0)}\r\n`)
        }
        case 'LIST':
          if (arg) return reply(live(n) ? `+OK ${n} ${drop[n - 1].raw.length}\r\n` : '-ERR no such message\r\n')
          return reply(`+OK\r\n${drop.map((m, i) => (live(i + 1) ? `${i + 1} ${m.raw.length}\r\n` : '')).join('')}.\r\n`)
        case 'UIDL':
          if (mode === 'none') return reply('-ERR command not supported\r\n')
          if (arg) return reply(live(n) ? `+OK ${n} ${uidlOf(n)}\r\n` : '-ERR no such message\r\n')
          return reply(`+OK\r\n${drop.map((_, i) => (live(i + 1) ? `${i + 1} ${uidlOf(i + 1)}\r\n` : '')).join('')}.\r\n`)
        case 'RETR':
          if (!live(n)) return reply('-ERR no such message\r\n')
          return reply(Buffer.concat([Buffer.from(`+OK ${drop[n - 1].raw.length} octets\r\n`), dotStuff(drop[n - 1].raw)]))
        case 'DELE':
          if (!live(n)) return reply('-ERR no such message\r\n')
          deleted.add(n)
          return reply('+OK deleted\r\n')
        case 'RSET':
          deleted.clear()
          return reply('+OK\r\n')
        case 'NOOP':
          return reply('+OK\r\n')
        case 'QUIT': {
          const gone = new Set([...deleted].map((i) => drop[i - 1].uid))
          messages = messages.filter((m) => !gone.has(m.uid))
          reply('+OK bye\r\n')
          return void writing.then(() => socket.end())
        }
        default:
          return reply('-ERR unknown command\r\n')
      }
    }
    reply('+OK POP3 test server ready\r\n')
    socket.on('data', (d) => {
      buffered += d.toString('latin1')
      for (let eol = buffered.indexOf('\r\n'); eol >= 0; eol = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, eol)
        buffered = buffered.slice(eol + 2)
        handle(line)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    get messages() {
      return messages.map((m) => m.raw)
    },
    log,
    add(...raws) {
      for (const raw of raws) messages.push({ raw, uid: nextUid++ })
    },
    remove(index) {
      messages.splice(index, 1)
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
