// Imports a bundled Lambda handler in this fresh process and invokes it once with the event in a JSON file:
// prints `{ importMs, invokeMs, result }` as one JSON line. Usage: node invoke-bundle.mjs <bundle> <export> <event.json>
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const [file, name, eventFile] = process.argv.slice(2)
const event = JSON.parse(readFileSync(eventFile, 'utf8'))
const t0 = performance.now()
const mod = await import(pathToFileURL(file).href)
const t1 = performance.now()
// The parts of Lambda's context object the handlers read; 300 s is the webhook function's timeout.
const deadline = Date.now() + 300_000
const context = { awsRequestId: 'c0ffee00-0000-4000-8000-000000000001', getRemainingTimeInMillis: () => deadline - Date.now() }
const result = await mod[name](event, context)
const t2 = performance.now()
process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, result })}\n`)
