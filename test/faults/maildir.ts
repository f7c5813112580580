import { chownSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DovecotServer, DovecotUser } from '../servers/dovecot.js'

/** uid/gid Dovecot's mail processes run as (test/servers/dovecot.ts). */
const NOBODY = 65534

/**
 * Delivers messages into a user's INBOX as an MDA would, by writing files into its Maildir `new/` (IMAP APPEND
 * takes about 35 ms a message on this disk). The first goes by APPEND, which creates the Maildir. Dovecot gives
 * the files UIDs when the folder is next opened.
 */
export async function deliverToMaildir(dovecot: DovecotServer, u: DovecotUser, raws: Buffer[]) {
  await dovecot.append(u, 'INBOX', raws.slice(0, 1))
  const dir = join(dovecot.doveadm(['user', '-f', 'home', u.user]).trim(), 'Maildir', 'new')
  raws.slice(1).forEach((raw, i) => {
    const file = join(dir, `${1_800_000_000 + i}.M${i}P1.postern-test`)
    writeFileSync(file, raw)
    chownSync(file, NOBODY, NOBODY)
  })
}
