import { expect, test } from 'vitest'
import { MAX_JSON_ITEMS, MAX_JSON_DEPTH } from '../../lib/http/read-json.js'
import { jsonShapeProblem } from '../../lib/json/shape.js'

const nestsDeeperThan = (text: string, limit: number) => jsonShapeProblem(text, limit, MAX_JSON_ITEMS) === 'too_deep'

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`

test('nesting up to the limit passes; one level more does not, for arrays, objects and both', () => {
  expect(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false)
  expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true)
  const objects = (d: number) => `${'{"a":'.repeat(d - 1)}{}${'}'.repeat(d - 1)}`
  expect(nestsDeeperThan(objects(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false)
  expect(nestsDeeperThan(objects(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true)
  expect(nestsDeeperThan(`${'[{"a":'.repeat(33)}1${'}]'.repeat(33)}`, MAX_JSON_DEPTH)).toBe(true)
})

test('many brackets side by side are not depth (the full scan runs, and says no)', () => {
  expect(nestsDeeperThan(`[${Array.from({ length: 1000 }, () => '[]').join(',')}]`, MAX_JSON_DEPTH)).toBe(false)
})

test('brackets inside strings, with escaped quotes, do not count', () => {
  const text = JSON.stringify({ text: `say \\"${'['.repeat(500)}" and {{{`, more: ['['.repeat(100)] })
  expect(nestsDeeperThan(text, MAX_JSON_DEPTH)).toBe(false)
  expect(nestsDeeperThan(`${text.slice(0, -1)},"x":${nested(MAX_JSON_DEPTH)}}`, MAX_JSON_DEPTH)).toBe(true)
})

test('a 2 MB body a million levels deep is refused', () => {
  const text = nested(1_000_000)
  expect(nestsDeeperThan(text, MAX_JSON_DEPTH)).toBe(true)
})

test('more than MAX_JSON_ITEMS arrays, objects and commas: too_many; exactly that many pass', () => {
  const shape = (text: string) => jsonShapeProblem(text, MAX_JSON_DEPTH, MAX_JSON_ITEMS)
  // One array and MAX - 1 commas: MAX items.
  expect(shape(`[${'1,'.repeat(MAX_JSON_ITEMS - 1)}1]`)).toBeNull()
  expect(shape(`[${'1,'.repeat(MAX_JSON_ITEMS)}1]`)).toBe('too_many')
  // One object with a key per item: the shape QA used to block the loop for 14 s (metadata, headers).
  expect(shape(`{${Array.from({ length: MAX_JSON_ITEMS + 1 }, (_, i) => `"k${i}":1`).join(',')}}`)).toBe('too_many')
  expect(shape(`[${Array.from({ length: MAX_JSON_ITEMS }, () => '{}').join(',')}]`)).toBe('too_many')
  // Brackets and commas inside strings are not items: an HTML body full of CSS is fine.
  expect(shape(JSON.stringify({ html: 'p{a:1,b:2}'.repeat(200_000) }))).toBeNull()
})
