import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pollMailbox } from '../../lib/inbound/poll-mailbox.js'
import { inboundMessageId } from '../../lib/inbound/message-id.js'
import { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMessageKeys, webhookKeys } from '../../lib/store/keys.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import type { MailboxEventRecord as OutboxRecord } from '../../lib/events/outbox.js'
import { checkCorpusFacts, CORPUS_FACTS } from '../normalize/corpus-facts.js'
import { startDovecot, type DovecotServer } from '../servers/dovecot.js'
import { startS3, type S3TestServer } from '../servers/s3.js'
import { CORPUS, dovecotMailbox, testDeps } from './harness.js'

const crlf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1')
const lfBytes = (b: Buffer) => Buffer.from(b.toString('latin1').replaceAll('\r\n', '\n'), 'latin1')
const textual = (type: string, b: Buffer) => (/^(text|message)\//.test(type) ? lfBytes(b) : b)
/** The document with every CRLF in its strings turned back into LF. */
const lf = <T>(v: T): T => JSON.parse(JSON.stringify(v).replaceAll('\\r\\n', '\\n'))

let dovecot: DovecotServer
let s3: S3TestServer
beforeAll(async () => {
  ;[dovecot, s3] = await Promise.all([startDovecot(), startS3()])
})
afterAll(async () => {
  await Promise.all([dovecot?.close(), s3?.close()])
})

describe('the whole corpus through Dovecot into S3', () => {
  test('every message is stored byte-exact with its JSON, attachments and one event each, and every MANIFEST fact holds', { timeout: 180_000 }, async () => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml')).sort()
    const manifest = (await readFile(join(CORPUS, 'MANIFEST.tsv'), 'utf8'))
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split('\t')[0])
    expect(files).toEqual([...manifest].sort())
    const u = await dovecot.addUser('corpus@example.test')
    const uids = await dovecot.append(u, 'INBOX', await Promise.all(files.map((f) => readFile(join(CORPUS, f)))))
    expect(uids).toHaveLength(files.length)

    // What the server hands out for each UID is what must be stored, byte for byte.
    const served = new Map<number, Buffer>()
    const client = await dovecot.connect(u)
    const lock = await client.getMailboxLock('INBOX')
    for await (const m of client.fetch('1:*', { uid: true, source: true }, { uid: true })) served.set(m.uid, m.source!)
    lock.release()
    await client.logout()

    const store: ObjectStore = createS3Store(s3.client, s3.bucket)
    const mb = dovecotMailbox(dovecot, u, 'imap', { id: 'corpus' })
    const deps = testDeps({ mailboxes: [mb] }, store)
    const summary = await pollMailbox(deps, deps.config.mailboxes[0])
    expect(summary).toMatchObject({ found: files.length, stored: files.length, duplicates: 0, failed: 0, error: null })

    const outbox = await store.list(webhookKeys.outboxPrefix)
    expect(outbox).toHaveLength(files.length)
    for (const [i, file] of files.entries()) {
      const raw = served.get(uids[i])!
      const keys = inboundMessageKeys('corpus', inboundMessageId(raw))
      expect((await store.get(keys.raw))?.body.equals(raw), file).toBe(true)
      const doc = InboundMessage.parse((await getJson(store, keys.doc))!.value)
      expect(doc.sha256, file).toBe(createHash('sha256').update(raw).digest('hex'))
      expect([doc.id, doc.mailbox], file).toEqual([inboundMessageId(raw), 'corpus'])
      expect(doc.size, file).toBe(raw.length)
      for (const a of doc.attachments) {
        expect(a.key.startsWith(`inbound/corpus/messages/${doc.id}/attachments/`), `${file} ${a.key}`).toBe(true)
        expect((await store.get(a.key))?.body.length, `${file} ${a.filename}`).toBe(a.size)
      }
      // Every hand-checked MANIFEST fact holds for the stored JSON (test/normalize/corpus-facts.ts).
      const entry = CORPUS_FACTS.find((e) => e.file === file)
      expect(entry, `${file} has facts`).toBeDefined()
      // IMAP carries messages with CRLF line ends (RFC 3501 §2.2), so Dovecot serves an LF-only file with CRLF;
      // that is the one change the server makes, and the facts, written against the file, are compared modulo it.
      const file_ = await readFile(join(CORPUS, file))
      const lfOnly = !raw.equals(file_)
      expect(raw.equals(lfOnly ? crlf(file_) : file_), `${file} served as stored`).toBe(true)
      const check = lfOnly
        ? await checkCorpusFacts(lf(doc), entry!, { raw: file_, content: async (a) => textual(a.contentType, (await store.get(a.key))!.body) })
        : await checkCorpusFacts(doc, entry!, { raw, content: async (a) => (await store.get(a.key))!.body })
      expect(check, file).toEqual({ mismatches: [], skipped: [] })
      const event = (await getJson<OutboxRecord>(store, webhookKeys.outbox('corpus', i + 1)))!.value
      expect(event).toMatchObject({ type: 'message.received', sequence: i + 1, data: { messageId: doc.id, parseError: doc.parseError } })
    }
    expect(await pollMailbox(deps, deps.config.mailboxes[0])).toMatchObject({ found: 0, stored: 0, error: null })
  })
})
