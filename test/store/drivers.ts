import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFsStore } from '../../lib/store/fs-store.js'
import { createS3Store } from '../../lib/store/s3-store.js'
import { createSqliteStore } from '../../lib/store/sqlite-store.js'
import type { ObjectStore } from '../../lib/store/object-store.js'
import { startS3 } from '../servers/s3.js'

/** A store driver a suite runs over (the contract, the list indexes): `fs` and `sqlite` in a temp folder, `s3` on the local S3 server. */
export interface StoreDriver {
  name: 'fs' | 'sqlite' | 's3'
  setup(): Promise<{ store: ObjectStore; close(): Promise<void> }>
}

export const storeDrivers: StoreDriver[] = [
  {
    name: 'fs',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'postern-logs-fs-'))
      return { store: createFsStore(dir), close: () => rm(dir, { recursive: true, force: true }) }
    },
  },
  {
    name: 'sqlite',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'postern-logs-sqlite-'))
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
