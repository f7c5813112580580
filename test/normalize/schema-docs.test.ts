import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { DOC_PATH, SCHEMA_PATH, renderDoc, renderJsonSchema } from '../../scripts/gen-inbound-schema.js'

const stale = 'stale: run `npx tsx scripts/gen-inbound-schema.ts` and commit the result'

test('docs/inbound-message.schema.json is the JSON Schema of the zod InboundMessage', () => {
  expect(readFileSync(SCHEMA_PATH, 'utf8'), stale).toBe(renderJsonSchema())
})

test('the field tables of docs/inbound-message.md are generated from the same schema', () => {
  const doc = readFileSync(DOC_PATH, 'utf8')
  expect(doc, stale).toBe(renderDoc(doc))
})
