import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { dovecotMailbox, tempFsStore } from './harness.js'

const run = promisify(execFile)
const BIN = join(import.meta.dirname, '../../bin/postern.js')
const msg = (n: number) => Buffer.from(`From: s@example.test\r\nSubject: cli ${n}\r\nMessage-ID: <cli${n}@example.test>\r\n\r\nbody ${n}\r\n`)

let dovecot: DovecotServer
beforeAll(async () => {
  dovecot = await startDovecot()
})
afterAll(() => dovecot?.close())

describe('postern CLI', () => {
  test('poll <mailbox-id> stores what is new and prints the summary; a second run skips it', async () => {
    const u = await dovecot.addUser('cli@example.test')
    await dovecot.append(u, 'INBOX', [msg(1), msg(2), msg(3)])
    const { dir, store, close } = await tempFsStore()
    onTestFinished(close)
    const config = join(dir, 'postern.config.json')
    await writeFile(config, JSON.stringify({ mailboxes: [{ ...dovecotMailbox(dovecot, u, 'imap'), id: 'support', password: { env: 'SUPPORT_PASSWORD' } }] }))
    const env = { ...process.env, POSTERN_CONFIG: config, POSTERN_STORE: 'fs', POSTERN_DATA_DIR: join(dir, 'data'), SUPPORT_PASSWORD: u.password }
    const first = await run('node', [BIN, 'poll', 'support'], { env })
    expect(first.stdout).toBe('support: found 3, stored 3, skipped as duplicate 0, failed 0\n')
    const second = await run('node', [BIN, 'poll', 'support'], { env })
    expect(second.stdout).toBe('support: found 0, stored 0, skipped as duplicate 0, failed 0\n')
    expect(await store.list('data/inbound/support/messages/')).toHaveLength(9)
    const unknown = await run('node', [BIN, 'poll', 'nope'], { env }).catch((e) => e)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe('no mailbox "nope" in the config (configured: support)\n')
  })

  test('hash-key prints the sha256 form of a token', async () => {
    const { stdout } = await run('node', [BIN, 'hash-key', 'pk_live_123'])
    expect(stdout).toBe('sha256:caf454668f62698d762ba4d69836980005023236e4e1b73deb0215da17a3815d\n')
    expect(stdout.trim()).toBe(hashApiKey('pk_live_123'))
  })
})
