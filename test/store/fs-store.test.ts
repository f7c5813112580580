import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, onTestFinished, test } from 'vitest'
import { createFsStore } from '../../lib/store/fs-store.js'

test('two fs stores on one folder in one process (made in the same ms) write at once without temp-name clashes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-fs-two-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  const [a, b] = [createFsStore(dir), createFsStore(dir)]
  const keys = Array.from({ length: 50 }, (_, i) => `k/${String(i).padStart(2, '0')}`)
  await Promise.all(keys.flatMap((k) => [a.put(`${k}-a`, 'from a'), b.put(`${k}-b`, 'from b', { ifNoneMatch: '*' })]))
  expect(await a.list('k/')).toHaveLength(100)
  expect((await b.get('k/07-a'))!.body.toString()).toBe('from a')
  expect(await readdir(join(dir, '.tmp'))).toEqual([])
})
