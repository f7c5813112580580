import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, onTestFinished, test } from 'vitest'
import { isPreconditionFailed } from '../../lib/store/object-store.js'
import { openDatabase } from '../../lib/store/sqlite/open-database.js'
import { createSqliteStore, INLINE_MAX_BYTES, type SqliteStoreOptions } from '../../lib/store/sqlite-store.js'

async function tempStore(options: SqliteStoreOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'postern-sqlite-'))
  const store = createSqliteStore(dir, options)
  onTestFinished(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { dir, store }
}

const rowOf = (dir: string, key: string) => {
  const db = openDatabase(join(dir, 'postern.db'), { busyTimeoutMs: 1000 })
  try {
    return db.prepare('SELECT key, etag, content_type AS contentType, size, length(body) AS inline, file FROM objects WHERE key = ?').get(key)
  } finally {
    db.close()
  }
}

test('a body up to the threshold is kept in the row; one byte more goes to a file beside the database', async () => {
  const { dir, store } = await tempStore()
  const small = Buffer.alloc(INLINE_MAX_BYTES, 0x61)
  const large = Buffer.alloc(INLINE_MAX_BYTES + 1, 0x62)
  const a = await store.put('b/small', small, { contentType: 'text/plain' })
  const b = await store.put('b/large', large, { contentType: 'message/rfc822' })
  expect(rowOf(dir, 'b/small')).toEqual({
    key: 'b/small',
    etag: a.etag,
    contentType: 'text/plain',
    size: INLINE_MAX_BYTES,
    inline: INLINE_MAX_BYTES,
    file: null,
  })
  const file = b.etag.slice(1, -1)
  expect(rowOf(dir, 'b/large')).toEqual({ key: 'b/large', etag: b.etag, contentType: 'message/rfc822', size: INLINE_MAX_BYTES + 1, inline: null, file })
  expect((await readFile(join(dir, 'bodies', file))).equals(large)).toBe(true)
  expect((await store.get('b/large'))?.body.equals(large)).toBe(true)
  expect((await store.get('b/small'))?.body.equals(small)).toBe(true)
})

test('replacing or deleting a body kept in a file removes the file once the row no longer names it', async () => {
  const { dir, store } = await tempStore()
  const v1 = await store.put('f/x', Buffer.alloc(INLINE_MAX_BYTES + 10, 1))
  const v2 = await store.put('f/x', Buffer.alloc(INLINE_MAX_BYTES + 20, 2), { ifMatch: v1.etag })
  await expect(store.put('f/x', Buffer.alloc(INLINE_MAX_BYTES + 30, 3), { ifMatch: v1.etag })).rejects.toSatisfy(isPreconditionFailed)
  await store.put('f/y', Buffer.alloc(INLINE_MAX_BYTES + 40, 4))
  await store.delete('f/y')
  // The writer removes freed files right after its commit; give it a moment.
  for (let i = 0; i < 50 && (await readdir(join(dir, 'bodies'))).length > 1; i++) await sleep(20)
  expect(await readdir(join(dir, 'bodies'))).toEqual([v2.etag.slice(1, -1)])
  expect((await store.get('f/x'))?.body).toEqual(Buffer.alloc(INLINE_MAX_BYTES + 20, 2))
  expect(await store.get('f/y')).toBeNull()
})

test('an empty body reads back as zero bytes', async () => {
  const { store } = await tempStore()
  await store.put('queue/e', '')
  expect((await store.get('queue/e'))?.body).toEqual(Buffer.alloc(0))
})

test('writes issued together share one transaction, and a failed precondition refuses only its own write', async () => {
  const { store } = await tempStore()
  await store.put('g/taken', 'first')
  const before = store.stats()
  const results = await Promise.allSettled([
    ...Array.from({ length: 100 }, (_, i) => store.put(`g/${i}`, `v${i}`)),
    store.put('g/taken', 'second', { ifNoneMatch: '*' }),
    store.put('g/new', 'x', { ifMatch: '"00000000000000000000000000000000"' }),
    store.delete('g/0'),
  ])
  const after = store.stats()
  expect(after.writes - before.writes).toBe(103)
  expect(after.commits - before.commits).toBe(1)
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(101)
  expect(results[100].status === 'rejected' && isPreconditionFailed(results[100].reason)).toBe(true)
  expect(results[101].status === 'rejected' && isPreconditionFailed(results[101].reason)).toBe(true)
  // Applied in order: g/0 was written, then deleted, in the same transaction.
  expect(await store.get('g/0')).toBeNull()
  expect((await store.get('g/99'))?.body.toString()).toBe('v99')
  expect((await store.get('g/taken'))?.body.toString()).toBe('first')
  expect(await store.get('g/new')).toBeNull()
})

test('writes that arrive one by one while a commit is under way are grouped into the next one', async () => {
  const { store } = await tempStore()
  const before = store.stats()
  // 200 puts, each from its own turn of the event loop (as separate HTTP requests are), none waiting for another.
  const puts: Promise<unknown>[] = []
  for (let i = 0; i < 200; i++) {
    puts.push(store.put(`w/${String(i).padStart(3, '0')}`, 'x'))
    await new Promise((r) => setImmediate(r))
  }
  await Promise.all(puts)
  const after = store.stats()
  expect(after.writes - before.writes).toBe(200)
  // One commit each would be 200; each fsync takes far longer than a turn of the loop, so most wait together.
  expect(after.commits - before.commits).toBeLessThanOrEqual(50)
  expect(await store.list('w/')).toHaveLength(200)
})

test('list is in byte order for keys beyond the Basic Multilingual Plane and respects prefix bounds', async () => {
  const { store } = await tempStore()
  const keys = ['u/a', 'u/\u{ff5e}', 'u/\u{1f600}', 'u/b/1', 'u/b-x', 'u0', 'u']
  for (const k of keys) await store.put(k, k)
  expect(await store.list('u/')).toEqual(['u/a', 'u/b-x', 'u/b/1', 'u/\u{ff5e}', 'u/\u{1f600}'])
  expect(await store.list('u/', { startAfter: 'u/b-x', limit: 2 })).toEqual(['u/b/1', 'u/\u{ff5e}'])
  expect(await store.list('u/', { startAfter: 'a' })).toHaveLength(5)
  expect(await store.list('u/', { startAfter: 'v' })).toEqual([])
  expect(await store.list('', { limit: 3 })).toEqual(['u', 'u/a', 'u/b-x'])
})

test('urlFor hands out a file with the version it was made for, kept until the URL expires', async () => {
  const { dir, store } = await tempStore({ sweepEveryMs: 100 })
  await store.put('x/inline', 'inline v1')
  await store.put('x/file', Buffer.alloc(INLINE_MAX_BYTES + 5, 7))
  const inlineUrl = await store.urlFor('x/inline', 3600)
  const fileUrl = await store.urlFor('x/file', 1)
  expect(await readFile(new URL(inlineUrl), 'utf8')).toBe('inline v1')
  expect((await readFile(new URL(fileUrl))).equals(Buffer.alloc(INLINE_MAX_BYTES + 5, 7))).toBe(true)
  await store.put('x/inline', 'inline v2')
  await store.delete('x/file')
  expect(await readFile(new URL(inlineUrl), 'utf8')).toBe('inline v1')
  expect(await store.urlFor('x/inline', 3600)).not.toBe(inlineUrl)
  // The 1 s URL expires and the sweep (every 100 ms here) removes its file; the 1 h one stays.
  await expect
    .poll(
      () =>
        stat(new URL(fileUrl)).then(
          () => 'there',
          () => 'gone',
        ),
      { timeout: 5000 },
    )
    .toBe('gone')
  expect(await readFile(new URL(inlineUrl), 'utf8')).toBe('inline v1')
  expect(await readFile(new URL(await store.urlFor('x/missing', 60))).catch((e) => e.code)).toBe('ENOENT')
  expect(new URL(inlineUrl).pathname.startsWith(join(dir, 'exports'))).toBe(true)
})

test('the sweep removes body files no row names once they are old enough, and leaves young ones', async () => {
  const { dir, store } = await tempStore({ sweepEveryMs: 100, orphanAgeMs: 60_000 })
  const kept = await store.put('s/kept', Buffer.alloc(INLINE_MAX_BYTES + 1, 1))
  const old = join(dir, 'bodies', 'left-by-a-crash')
  const young = join(dir, 'bodies', 'being-committed-elsewhere')
  await writeFile(old, 'x')
  await writeFile(young, 'y')
  const hourAgo = new Date(Date.now() - 3600_000)
  await utimes(old, hourAgo, hourAgo)
  await expect
    .poll(() => readdir(join(dir, 'bodies')).then((n) => n.sort()), { timeout: 5000 })
    .toEqual(['being-committed-elsewhere', kept.etag.slice(1, -1)].sort())
})

test('a second store on the same folder (another process, say) sees committed writes and refuses a stale compare-and-swap', async () => {
  const { dir, store } = await tempStore()
  const other = createSqliteStore(dir)
  onTestFinished(() => other.close())
  const v1 = await store.put('two/s', 'one')
  expect((await other.get('two/s'))?.etag).toBe(v1.etag)
  await other.put('two/s', 'two', { ifMatch: v1.etag })
  await expect(store.put('two/s', 'three', { ifMatch: v1.etag })).rejects.toSatisfy(isPreconditionFailed)
  expect((await store.get('two/s'))?.body.toString()).toBe('two')
})
