// One of several processes contending for the same keys of one sqlite store (test/store/sqlite-processes.test.ts).
// argv: <dir> <name> <keys> <increments>. For each key: one create-only write of `claims/<key>` (only one process
// may win it) and `increments` read-modify-write increments of `counters/<key>` by compare-and-swap, retried on a
// failed precondition. Prints "ready" once its store is open and starts on the first line on stdin, so that all the
// processes start together; then prints {"won": [keys it created], "retries": n} and exits.
import { createSqliteStore } from '../../../lib/store/sqlite-store.js'
import { isPreconditionFailed } from '../../../lib/store/object-store.js'

const [dir, name, keyCount, increments] = process.argv.slice(2)
const store = createSqliteStore(dir, { busyTimeoutMs: 30_000 })
const keys = Array.from({ length: Number(keyCount) }, (_, i) => `k${String(i).padStart(3, '0')}`)
const won: string[] = []
let retries = 0

async function increment(key: string) {
  for (;;) {
    const cur = await store.get(`counters/${key}`)
    const n = cur ? Number(cur.body.toString()) : 0
    try {
      await store.put(`counters/${key}`, String(n + 1), cur ? { ifMatch: cur.etag } : { ifNoneMatch: '*' })
      return
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
      retries++
    }
  }
}

// Warm the writer thread up, so the processes race from their first write.
await store.put(`ready/${name}`, '')
process.stdout.write('ready\n')
await new Promise((resolve) => process.stdin.once('data', resolve))
process.stdin.destroy()

await Promise.all(
  keys.map(async (key) => {
    try {
      await store.put(`claims/${key}`, name, { ifNoneMatch: '*' })
      won.push(key)
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
    }
    for (let i = 0; i < Number(increments); i++) await increment(key)
  }),
)
await store.close()
process.stdout.write(`${JSON.stringify({ won, retries })}\n`)
