import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { EVENT_SCHEMAS } from '../../lib/events/schemas.js'
import { DOC_PATH, EXAMPLES, SCHEMA_PATH, renderDoc, renderJsonSchema } from '../../scripts/gen-event-docs.js'

const stale = 'stale: run `npx tsx scripts/gen-event-docs.ts` and commit the result'

test('docs/events.schema.json is the JSON Schema of the zod event schemas', () => {
  expect(readFileSync(SCHEMA_PATH, 'utf8'), stale).toBe(renderJsonSchema())
})

test('the event reference in docs/events.md is generated from the same schemas', () => {
  const doc = readFileSync(DOC_PATH, 'utf8')
  expect(doc, stale).toBe(renderDoc(doc))
})

test("every example in the docs is a valid body of its event's schema", () => {
  for (const [type, example] of Object.entries(EXAMPLES)) {
    if (example === null) continue
    expect(EVENT_SCHEMAS[type as keyof typeof EVENT_SCHEMAS].safeParse(example).error?.issues ?? [], type).toEqual([])
  }
})
