import type { FieldIssue } from '../errors.js'

/** Keys that are not plain data in a JavaScript object: `__proto__` sets the prototype (zod drops it silently). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

// With the u flag, a surrogate pair is one code point, so only a lone surrogate is in Cs.
const LONE_SURROGATE = /\p{Cs}/u

/**
 * Issues with a parsed JSON request that the schema cannot see, each at its path: a string or key with a lone
 * surrogate (`"\ud800"`: not Unicode text, it cannot be sent as UTF-8 and would become U+FFFD, even in an address)
 * is `invalid_string`; a `__proto__`, `constructor` or `prototype` key is `invalid_header_name` in headers, else
 * `invalid_key`. Recursive: callers bound the depth (readJson refuses more than 64 levels).
 */
export function plainJsonIssues(value: unknown, path: (string | number)[] = []): FieldIssue[] {
  if (typeof value === 'string')
    return LONE_SURROGATE.test(value) ? [{ path, code: 'invalid_string', message: 'must be Unicode text: it has a lone surrogate' }] : []
  if (Array.isArray(value)) return value.flatMap((v, i) => plainJsonIssues(v, [...path, i]))
  if (!value || typeof value !== 'object') return []
  const issues: FieldIssue[] = []
  for (const [k, v] of Object.entries(value)) {
    if (LONE_SURROGATE.test(k)) issues.push({ path: [...path, k], code: 'invalid_string', message: 'a key must be Unicode text: it has a lone surrogate' })
    else if (PROTOTYPE_KEYS.has(k))
      issues.push({
        path: [...path, k],
        code: path.at(-1) === 'headers' ? 'invalid_header_name' : 'invalid_key',
        message: `${JSON.stringify(k)} is not allowed as a key`,
      })
    issues.push(...plainJsonIssues(v, [...path, k]))
  }
  return issues
}
