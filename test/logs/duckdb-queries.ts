import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'

/** The SQL blocks of docs/logs.md by their `-- query: <name>` line: the tests run what the docs show. */
function docQueries(dataDir: string): Record<string, string> {
  const md = readFileSync(join(import.meta.dirname, '../../docs/logs.md'), 'utf8')
  const blocks = [...md.matchAll(/```sql\n-- query: ([a-z-]+)\n([\s\S]*?)```/g)]
  return Object.fromEntries(blocks.map((m) => [m[1], m[2].replaceAll('.postern/logs/events', join(dataDir, 'logs/events'))]))
}

/** Runs the docs' query `name` with `params` over the event log of the data folder `dataDir`; rows as JSON values. */
export async function runDocQuery(dataDir: string, name: string, params: Record<string, string>) {
  const queries = docQueries(dataDir)
  const db = await DuckDBInstance.create(':memory:')
  const c = await db.connect()
  try {
    await c.run(queries.view)
    return (await c.runAndReadAll(queries[name], params)).getRowObjectsJson()
  } finally {
    c.closeSync()
    db.closeSync()
  }
}
