import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, beforeAll, afterAll } from 'vitest'
import { createFsStore } from '../../lib/store/fs-store.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import { isPreconditionFailed, type ObjectStore } from '../../lib/store/object-store.js'
import { startS3, type S3TestServer } from '../servers/s3.js'

type Driver = { name: string; setup(): Promise<{ store: ObjectStore; close(): Promise<void> }> }

const drivers: Driver[] = [
  {
    name: 'fs',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'postern-fs-'))
      return { store: createFsStore(dir), close: () => rm(dir, { recursive: true, force: true }) }
    },
  },
  {
    name: 's3',
    async setup() {
      const s3: S3TestServer = await startS3()
      return { store: createS3Store(s3.client, s3.bucket), close: () => s3.close() }
    },
  },
]

describe.each(drivers)('store contract: $name', (driver) => {
  let store: ObjectStore
  let close: () => Promise<void>
  beforeAll(async () => ({ store, close } = await driver.setup()))
  afterAll(() => close())

  test('get of a missing key is null', async () => {
    expect(await store.get('nothing/here.json')).toBeNull()
  })

  test('put then get returns the exact bytes and the same ETag', async () => {
    const body = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a, 0xc3, 0xa9])
    const { etag } = await store.put('bytes/a.bin', body)
    const got = await store.get('bytes/a.bin')
    expect(got?.body.equals(body)).toBe(true)
    expect(got?.etag).toBe(etag)
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
  })

  test('create-only write refuses an existing key and keeps the first body', async () => {
    await store.put('once/x.json', '{"n":1}', { ifNoneMatch: '*' })
    const second = store.put('once/x.json', '{"n":2}', { ifNoneMatch: '*' })
    await expect(second).rejects.toSatisfy(isPreconditionFailed)
    expect((await store.get('once/x.json'))?.body.toString()).toBe('{"n":1}')
  })

  test('compare-and-swap succeeds on the current ETag and fails on a stale one', async () => {
    const v1 = await store.put('cas/s.json', 'v1')
    const v2 = await store.put('cas/s.json', 'v2', { ifMatch: v1.etag })
    expect(v2.etag).not.toBe(v1.etag)
    await expect(store.put('cas/s.json', 'v3', { ifMatch: v1.etag })).rejects.toSatisfy(isPreconditionFailed)
    expect((await store.get('cas/s.json'))?.body.toString()).toBe('v2')
  })

  test('compare-and-swap on a missing key fails', async () => {
    await expect(store.put('cas/missing.json', 'x', { ifMatch: '"00"' })).rejects.toSatisfy(isPreconditionFailed)
    expect(await store.get('cas/missing.json')).toBeNull()
  })

  test('of two concurrent create-only writes exactly one wins', async () => {
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => store.put('race/one.json', String(n), { ifNoneMatch: '*' })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'rejected' && isPreconditionFailed(r.reason))).toHaveLength(3)
  })

  test('list returns keys under a prefix in byte order, with startAfter and limit', async () => {
    for (const k of ['l/b/2', 'l/a', 'l/b/1', 'l/c', 'lx/no']) await store.put(k, k)
    expect(await store.list('l/')).toEqual(['l/a', 'l/b/1', 'l/b/2', 'l/c'])
    expect(await store.list('l/b')).toEqual(['l/b/1', 'l/b/2'])
    expect(await store.list('l/', { startAfter: 'l/b/1' })).toEqual(['l/b/2', 'l/c'])
    expect(await store.list('l/', { limit: 2 })).toEqual(['l/a', 'l/b/1'])
    expect(await store.list('none/')).toEqual([])
  })

  test('listEntries gives the keys of list with the time each object was last written', async () => {
    const before = Date.now()
    await store.put('le/b', 'b')
    await store.put('le/a', 'a')
    const entries = await store.listEntries('le/')
    expect(entries.map((e) => e.key)).toEqual(await store.list('le/'))
    expect(entries.map((e) => e.key)).toEqual(['le/a', 'le/b'])
    // S3 keeps LastModified to the second.
    for (const e of entries) expect(e.lastModifiedMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    for (const e of entries) expect(e.lastModifiedMs).toBeLessThanOrEqual(Date.now())
    expect(await store.listEntries('le/', { startAfter: 'le/a', limit: 1 })).toEqual([{ key: 'le/b', lastModifiedMs: entries[1].lastModifiedMs }])
  })

  test('list pages past 1000 keys', { timeout: 120_000 }, async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(5, '0')}`)
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, '')))
    expect(await store.list('many/')).toEqual(keys)
  })

  test('delete removes an object and tolerates a missing one', async () => {
    await store.put('del/x', 'x')
    await store.delete('del/x')
    await store.delete('del/x')
    expect(await store.get('del/x')).toBeNull()
    expect(await store.list('del/')).toEqual([])
  })

  test('unsafe keys are refused before any I/O', async () => {
    for (const key of ['../etc/passwd', 'a/../../b', 'a//b', '/abs', 'a\\b', 'a/\nb', '']) {
      await expect(store.put(key, 'x')).rejects.toThrow(/unsafe object key/)
    }
  })

  test('urlFor gives a URL that reads the object', async () => {
    await store.put('url/a.txt', 'hello url')
    const url = await store.urlFor('url/a.txt', 60)
    const body = url.startsWith('file:') ? await readFile(new URL(url), 'utf8') : await (await fetch(url)).text()
    expect(body).toBe('hello url')
  })
})
