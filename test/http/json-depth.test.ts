import { expect, test } from 'vitest'
import { jsonShapeProblem, MAX_JSON_CONTAINERS, MAX_JSON_DEPTH } from '../../lib/http/read-json.js'

const nestsDeeperThan = (text: string, limit: number) => jsonShapeProblem(text, limit, MAX_JSON_CONTAINERS) === 'too_deep'

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

test('more arrays and objects than MAX_JSON_CONTAINERS, side by side: too_many; exactly that many pass', () => {
  const wide = (n: number) => `[${Array.from({ length: n - 1 }, () => '{}').join(',')}]`
  expect(jsonShapeProblem(wide(MAX_JSON_CONTAINERS), MAX_JSON_DEPTH, MAX_JSON_CONTAINERS)).toBeNull()
  expect(jsonShapeProblem(wide(MAX_JSON_CONTAINERS + 1), MAX_JSON_DEPTH, MAX_JSON_CONTAINERS)).toBe('too_many')
  // Brackets inside strings are not containers: an HTML body full of CSS is fine.
  expect(jsonShapeProblem(JSON.stringify({ html: 'p{}'.repeat(200_000) }), MAX_JSON_DEPTH, MAX_JSON_CONTAINERS)).toBeNull()
})
