import type { z } from 'zod'
import { MAX_ISSUES, type FieldIssue } from './errors.js'

type Issue = z.core.$ZodIssue

/** True when the issue only says the value at this very place has the wrong type (for every union branch). */
const typeMismatch = (i: Issue): boolean =>
  i.path.length === 0 && (i.code === 'invalid_type' || (i.code === 'invalid_union' && i.errors.every((b) => b.every(typeMismatch))))

const key = (p: PropertyKey) => (typeof p === 'number' ? p : String(p))

/**
 * Flattens zod issues into FieldIssues with full paths, at most MAX_ISSUES of them. For a union, only the branch the
 * input was meant for is reported: the one whose issues are not all a type mismatch at the union itself.
 */
export function toFieldIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): FieldIssue[] {
  const out: FieldIssue[] = []
  flatten(issues, prefix, out)
  return out.slice(0, MAX_ISSUES)
}

function flatten(issues: readonly Issue[], prefix: PropertyKey[], out: FieldIssue[]): void {
  for (const issue of issues) {
    if (out.length >= MAX_ISSUES) return
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const fits = issue.errors.find((branch) => branch.some((i) => !typeMismatch(i)))
      if (fits) {
        flatten(fits, path, out)
        continue
      }
      // No branch came close: the value has the wrong type for every accepted form.
      out.push({ path: path.map(key), code: 'invalid_type', message: issue.message === 'Invalid input' ? 'has the wrong type' : issue.message })
      continue
    }
    // A record key that fails its schema: the key schema's own message says why ("Invalid key in record" does not).
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      out.push({ path: path.map(key), code: 'invalid_key', message: issue.issues.map((i) => i.message).join('; ') })
      continue
    }
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys.slice(0, MAX_ISSUES))
        out.push({ path: [...path, k].map(key), code: 'unknown_field', message: `unknown field ${JSON.stringify(k)}` })
      continue
    }
    const code = issue.code === 'custom' ? String((issue.params as { code?: string } | undefined)?.code ?? 'invalid') : issue.code
    out.push({ path: path.map(key), code, message: issue.message })
  }
}
