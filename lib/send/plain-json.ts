import { MAX_ISSUES, type FieldIssue } from '../errors.js'

/** Keys that are not plain data in a JavaScript object: `__proto__` sets the prototype (zod drops it silently). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

// With the u flag, a surrogate pair is one code point, so only a lone surrogate is in Cs.
const LONE_SURROGATE = /\p{Cs}/u

/**
 * Issues with a parsed JSON request that the schema cannot see, each at its path: a string or key with a lone
 * surrogate (`"\ud800"`: not Unicode text, it cannot be sent as UTF-8 and would become U+FFFD, even in an address)
 * is `invalid_string`; a `__proto__`, `constructor` or `prototype` key is `invalid_header_name` in headers, else
 * `invalid_key`. At most MAX_ISSUES. Recursive: callers bound the depth (readJson refuses more than 64 levels).
 */
export function plainJsonIssues(value: unknown, path: (string | number)[] = []): FieldIssue[] {
  const out: FieldIssue[] = []
  walk(value, [...path], out)
  return out
}

// `at` is one array, pushed and popped on the way down: a path is copied only for an issue.
function walk(value: unknown, at: (string | number)[], out: FieldIssue[]): void {
  if (out.length >= MAX_ISSUES) return
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) out.push({ path: [...at], code: 'invalid_string', message: 'must be Unicode text: it has a lone surrogate' })
    return
  }
  if (!value || typeof value !== 'object') return
  const array = Array.isArray(value)
  for (const k of array ? value.keys() : Object.keys(value)) {
    if (!array) {
      const key = k as string
      if (LONE_SURROGATE.test(key)) out.push({ path: [...at, key], code: 'invalid_string', message: 'a key must be Unicode text: it has a lone surrogate' })
      else if (PROTOTYPE_KEYS.has(key))
        out.push({
          path: [...at, key],
          code: at.at(-1) === 'headers' ? 'invalid_header_name' : 'invalid_key',
          message: `${JSON.stringify(key)} is not allowed as a key`,
        })
    }
    at.push(k)
    walk((value as Record<string | number, unknown>)[k], at, out)
    at.pop()
  }
}
