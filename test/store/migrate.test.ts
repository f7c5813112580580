import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { ingestMessage } from '../../lib/inbound/ingest.js'
import { createFsStore } from '../../lib/store/fs-store.js'
import { openDatabase } from '../../lib/store/sqlite/open-database.js'
import { copyObjects, formatCopySummary } from '../../lib/store/migrate.js'
import { createSqliteStore, type SqliteStore } from '../../lib/store/sqlite-store.js'
import { CORPUS } from '../corpus.js'
import { harness, type Harness } from '../harness.js'
import { smtpReply, startSmtp, type SmtpTestServer } from '../servers/smtp.js'

const BIN = join(import.meta.dirname, '../../bin/postern.js')
const run = promisify(execFile)
const CORPUS_FILES = [
  'mimekit__smime-signed-thunderbird.eml',
  'mailparser__nodemailer-generated-kitchen-sink.eml',
  'mailparser__minimal-plain-no-msgid-no-mime.eml',
]

// A data folder written by the fs driver through the real send path (a real SMTP server answering 250, 451 or 550
// by recipient) and the real inbound code, then migrated with the CLI into the sqlite store in the same folder.
let smtp: SmtpTestServer
let fsSide: Harness
let ids: Record<'sent' | 'deferred' | 'failed' | 'scheduled' | 'queued', string>
let views: Record<string, unknown>
const fsDir = () => (fsSide.deps.config.store as { dir: string }).dir
beforeAll(async () => {
  smtp = await startSmtp({
    rcpt: (address) =>
      address.startsWith('later@')
        ? smtpReply(451, '4.7.1 Greylisted, try again later')
        : address.startsWith('nobody@')
          ? smtpReply(550, '5.1.1 No such user')
          : undefined,
  })
  fsSide = await harness({ smtp })
  const submit = async (to: string, extra: Record<string, unknown> = {}) => {
    const res = await fsSide.call('POST', '/v1/messages', { from: 'ops@example.com', to, subject: `to ${to}`, text: 'body', ...extra })
    expect(res.status).toBe(202)
    return res.json.id as string
  }
  // A request past the inline limit (300,000 bytes of attachment): its request.json is a body file in sqlite.
  const attachment = { filename: 'big.bin', content: Buffer.alloc(300_000, 7).toString('base64') }
  const sent = await submit('ok@example.org', { attachments: [attachment] })
  const deferred = await submit('later@example.org')
  const failed = await submit('nobody@example.org')
  const scheduled = await submit('ok@example.org', { sendAt: new Date(fsSide.clock.now() + 3600_000).toISOString() })
  expect(await fsSide.runner.drain()).toBe(3)
  const queued = await submit('ok@example.org')
  ids = { sent, deferred, failed, scheduled, queued }

  const state = await loadMailboxState(fsSide.store, 'support')
  for (const file of CORPUS_FILES) {
    const raw = await readFile(join(CORPUS, file))
    expect((await ingestMessage(fsSide.deps, 'support', state, { raw, receivedAt: '2026-11-29T12:00:00.000Z', folder: 'INBOX' })).kind).toBe('stored')
  }
  await state.save()
  views = {}
  for (const id of Object.values(ids)) views[id] = (await fsSide.call('GET', `/v1/messages/${id}`)).json
})
afterAll(async () => {
  await fsSide.close()
  await smtp.close()
})

test('the fs folder holds a send in every state and inbound mail', () => {
  const status = (id: string) => (views[id] as { status: string }).status
  expect(Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, status(id)]))).toEqual({
    sent: 'sent',
    deferred: 'deferred',
    failed: 'failed',
    scheduled: 'scheduled',
    queued: 'queued',
  })
  expect(smtp.received).toHaveLength(1)
})

test('`postern migrate --from fs` copies every object into sqlite in the same folder; run again it copies nothing', { timeout: 60_000 }, async () => {
  const dir = fsDir()
  const env = { ...process.env, POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }
  const fsKeys = await createFsStore(dir).list('')
  expect(fsKeys.filter((k) => k.startsWith('inbound/support/messages/') && k.endsWith('/stored.json'))).toHaveLength(3)
  expect(fsKeys.filter((k) => k.startsWith('queue/'))).toHaveLength(3) // queued, scheduled, deferred

  const first = await run('node', [BIN, 'migrate', '--from', 'fs'], { env })
  expect(first.stdout).toBe(`copied ${fsKeys.length} objects; 0 were there already\n`)
  const second = await run('node', [BIN, 'migrate', '--from', 'fs', '--dir', dir], { env })
  expect(second.stdout).toBe(`copied 0 objects; ${fsKeys.length} were there already\n`)

  const sqlite: SqliteStore = createSqliteStore(dir)
  try {
    // Same keys, and only them: the database's own files in that folder are not objects.
    expect(await sqlite.list('')).toEqual(fsKeys)
    const fs = createFsStore(dir)
    for (const key of fsKeys) expect((await sqlite.get(key))!.body.equals((await fs.get(key))!.body), key).toBe(true)
    // Over the inline limit, as body files beside the database: the large request, nothing else.
    const db = openDatabase(join(dir, 'postern.db'), { busyTimeoutMs: 1000 })
    const files = db.prepare('SELECT key, file FROM objects WHERE file IS NOT NULL').all() as { key: string; file: string }[]
    db.close()
    expect(files.map((f) => f.key)).toEqual([`messages/${ids.sent}/request.json`])
    expect(await readdir(join(dir, 'bodies'))).toEqual([files[0].file])

    const sqliteSide = await harness({ smtp, store: sqlite })
    try {
      for (const id of Object.values(ids)) expect((await sqliteSide.call('GET', `/v1/messages/${id}`)).json).toEqual(views[id])
    } finally {
      await sqliteSide.runner.stop()
    }
  } finally {
    await sqlite.close()
  }
})

test('migrate keeps what changed in the destination since an earlier run, and says which keys', async () => {
  const from = createFsStore(fsDir())
  const dir = await mkdtemp(join(tmpdir(), 'postern-migrate-'))
  const to = createSqliteStore(dir)
  try {
    const keys = await from.list('messages/')
    await to.put(keys[0], 'changed since')
    const summary = await copyObjects(from, to)
    expect(summary.kept).toEqual([keys[0]])
    expect(summary.copied).toBe((await from.list('')).length - 1)
    expect((await to.get(keys[0]))!.body.toString()).toBe('changed since')
    expect(formatCopySummary(summary)).toBe(
      `copied ${summary.copied} objects; 0 were there already\n1 kept as the destination has them (changed there since an earlier run):\n  ${keys[0]}`,
    )
  } finally {
    await to.close()
    await rm(dir, { recursive: true, force: true })
  }
})
