// Writes to a sqlite store until killed (test/store/sqlite-crash.test.ts). argv: <dir>. Keeps 8 puts in flight,
// alternating bodies kept inline and bodies in files, each key written twice (so replaced bodies free their files),
// and prints each key whose second put resolved as `<key> <bytes>` on its own line.
import { createSqliteStore } from '../../../lib/store/sqlite-store.js'
import { bodyFor } from '../sqlite-bodies.js'

const store = createSqliteStore(process.argv[2])
let n = 0
async function loop() {
  for (;;) {
    const i = n++
    const key = `crash/${String(i).padStart(6, '0')}`
    await store.put(key, bodyFor(i, 'first'))
    const body = bodyFor(i, 'second')
    await store.put(key, body)
    process.stdout.write(`${key} ${body.length}\n`)
  }
}
await Promise.all(Array.from({ length: 8 }, loop))
