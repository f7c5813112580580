import { spawnSync } from 'node:child_process'
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ImapFlow } from 'imapflow'
import { testTls } from './tls.js'

/** uid/gid the mail processes run as (Dovecot refuses root). */
const NOBODY = 65534

export interface DovecotUser {
  user: string
  password: string
}

export interface DovecotServer {
  host: '127.0.0.1'
  /** IMAP with STARTTLS offered, IMAPS, POP3 (plain), POP3S. */
  ports: { imap: number; imaps: number; pop3: number; pop3s: number }
  /** PEM certificate of the server, to pass as the CA. */
  ca: string
  /** Adds a mailbox user (a passwd-file of its own). */
  addUser(user: string, password?: string): Promise<DovecotUser>
  /** An IMAP client logged in as `user` (STARTTLS, trusting `ca`); the caller logs out. */
  connect(u: DovecotUser): Promise<ImapFlow>
  /** APPENDs raw messages to a folder (created when missing), optionally with an INTERNALDATE; returns their UIDs. */
  append(u: DovecotUser, folder: string, messages: Buffer[], internalDate?: Date): Promise<number[]>
  /** Sets a folder's UIDVALIDITY with doveadm, as a server rebuild would. */
  setUidValidity(u: DovecotUser, folder: string, uidValidity: number): Promise<void>
  /** Runs doveadm with this instance's config; returns stdout. */
  doveadm(args: string[]): string
  close(): Promise<void>
}

/** A port the system just gave out and took back: free now, nothing listens on it. */
export async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as AddressInfo
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

async function waitForPort(port: number) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(true))
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)))
    })
    if (ok) return
    await sleep(50)
  }
  throw new Error(`dovecot did not listen on ${port}`)
}

/**
 * A real Dovecot (Debian dovecot-imapd + dovecot-pop3d) for IMAP and POP3 on 127.0.0.1, on free ports, in a temp
 * directory with its own config (../shared/RECIPES.md §3), self-signed TLS, and a passwd-file of users.
 */
export async function startDovecot(): Promise<DovecotServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dovecot-'))
  // Mail processes run as nobody and must traverse every parent directory.
  await chmod(dir, 0o755)
  await mkdir(join(dir, 'mail'))
  await chown(join(dir, 'mail'), NOBODY, NOBODY)
  const tls = await testTls()
  await writeFile(join(dir, 'cert.pem'), tls.cert)
  await writeFile(join(dir, 'key.pem'), tls.key, { mode: 0o600 })
  await mkdir(join(dir, 'users'))
  const ports = { imap: await freePort(), imaps: await freePort(), pop3: await freePort(), pop3s: await freePort() }
  const conf = join(dir, 'dovecot.conf')
  await writeFile(
    conf,
    `instance_name = postern-test-${ports.imap}
base_dir = ${dir}/run
state_dir = ${dir}/state
protocols = imap pop3
listen = 127.0.0.1
log_path = ${dir}/dovecot.log
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users/%u
}
userdb {
  driver = static
  args = uid=${NOBODY} gid=${NOBODY} home=${dir}/mail/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = 1
protocol imap {
  mail_max_userip_connections = 50
}
namespace inbox {
  inbox = yes
}
pop3_uidl_format = %08Xu%08Xv
service imap-login {
  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = ${ports.pop3s}
    ssl = yes
  }
}
`,
  )
  // The daemon keeps inherited pipes open, so stdio must be ignored or spawnSync never returns.
  const started = spawnSync('dovecot', ['-c', conf], { stdio: 'ignore' })
  if (started.status !== 0) throw new Error(`dovecot failed to start: ${await readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => '')}`)
  await Promise.all(Object.values(ports).map(waitForPort))

  const doveadm = (args: string[]) => {
    const r = spawnSync('doveadm', ['-c', conf, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    if (r.status !== 0) throw new Error(`doveadm ${args.join(' ')} failed: ${r.stderr}`)
    return r.stdout
  }
  const server: DovecotServer = {
    host: '127.0.0.1',
    ports,
    ca: tls.cert,
    async addUser(user, password = 'secret') {
      // One passwd-file per user: Dovecot checks a changed file at most once a second, a new one at once.
      await writeFile(join(dir, 'users', user), `${user}:{PLAIN}${password}::::::\n`)
      return { user, password }
    },
    async connect(u) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: ports.imap,
        secure: false,
        auth: { user: u.user, pass: u.password },
        tls: { ca: tls.cert, servername: 'localhost' },
        logger: false,
      })
      client.on('error', () => {})
      await client.connect()
      return client
    },
    async append(u, folder, messages, internalDate) {
      const client = await server.connect(u)
      try {
        if (folder !== 'INBOX') await client.mailboxCreate(folder).catch(() => {})
        const uids: number[] = []
        for (const m of messages) {
          const r = await client.append(folder, m, [], internalDate)
          if (!r || !r.uid) throw new Error('APPEND returned no UID')
          uids.push(r.uid)
        }
        return uids
      } finally {
        await client.logout()
      }
    },
    async setUidValidity(u, folder, uidValidity) {
      doveadm(['mailbox', 'update', '-u', u.user, '--uid-validity', String(uidValidity), folder])
    },
    doveadm,
    async close() {
      const pid = Number((await readFile(join(dir, 'run', 'master.pid'), 'utf8').catch(() => '')).trim())
      if (pid) {
        process.kill(pid, 'SIGTERM')
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(pid, 0)
          } catch {
            break
          }
          await sleep(50)
        }
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
  return server
}
