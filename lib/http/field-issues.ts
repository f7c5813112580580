import type { z } from 'zod'
import type { FieldIssue } from './errors.js'

type Issue = z.core.$ZodIssue

/**
 * Flattens zod issues into FieldIssues with full paths. For a union, only the branch the input was
 * meant for is reported: the one whose issues are not all a type mismatch at the union itself.
 */
export function toFieldIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): FieldIssue[] {
  const out: FieldIssue[] = []
  for (const issue of issues) {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const fits = issue.errors.find((branch) => branch.some((i) => !(i.code === 'invalid_type' && i.path.length === 0)))
      if (fits) {
        out.push(...toFieldIssues(fits, path))
        continue
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key].map(String), code: 'unknown_field', message: `unknown field ${JSON.stringify(key)}` })
      continue
    }
    const code = issue.code === 'custom' ? String((issue.params as { code?: string } | undefined)?.code ?? 'invalid') : issue.code
    out.push({ path: path.map((p) => (typeof p === 'number' ? p : String(p))), code, message: issue.message })
  }
  return out
}
