// Imports a bundled Lambda handler in this fresh process and invokes it once with the event in a JSON file:
// prints `{ importMs, invokeMs, result }` as one JSON line. Usage: node invoke-bundle.mjs <bundle> <export> <event.json>
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const [file, name, eventFile] = process.argv.slice(2)
const event = JSON.parse(readFileSync(eventFile, 'utf8'))
const t0 = performance.now()
const mod = await import(pathToFileURL(file).href)
const t1 = performance.now()
const result = await mod[name](event, {})
const t2 = performance.now()
process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, result })}\n`)
