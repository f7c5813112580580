import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFsStore } from '../../lib/store/fs-store.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import { createSqliteStore } from '../../lib/store/sqlite-store.js'
import { startS3 } from '../servers/s3.js'

/** A real store of each driver; `close` removes what it made. */
export type Driver = { name: string; setup(): Promise<{ store: ObjectStore; close(): Promise<void> }> }
export const DRIVERS: Driver[] = [
  {
    name: 'fs',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'postern-ops-fs-'))
      return { store: createFsStore(dir), close: () => rm(dir, { recursive: true, force: true }) }
    },
  },
  {
    name: 'sqlite',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'postern-ops-sqlite-'))
      const store = createSqliteStore(dir)
      return {
        store,
        async close() {
          await store.close()
          await rm(dir, { recursive: true, force: true })
        },
      }
    },
  },
  {
    name: 's3',
    async setup() {
      const s3 = await startS3()
      return { store: createS3Store(s3.client, s3.bucket), close: () => s3.close() }
    },
  },
]
