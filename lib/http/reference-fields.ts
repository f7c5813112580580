/** A JSON Schema node as zod and the OpenAPI document write them (the parts the reference reads). */
export interface SchemaNode {
  $ref?: string
  type?: string | string[]
  description?: string
  example?: unknown
  examples?: unknown[]
  enum?: unknown[]
  const?: unknown
  properties?: Record<string, SchemaNode>
  required?: string[]
  items?: SchemaNode
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
  allOf?: SchemaNode[]
  additionalProperties?: SchemaNode | boolean
  $defs?: Record<string, SchemaNode>
  format?: string
  maxLength?: number
  maxItems?: number
  minimum?: number
  maximum?: number
  default?: unknown
}

/** One documented field: its dotted path (`attachments[].filename`), type, whether required, meaning and example. */
export interface FieldRow {
  name: string
  type: string
  required: boolean
  description: string
  example: string
}

/** Resolves `#/components/schemas/X` and `#/$defs/X` references against `roots` (the document, the schema itself). */
function resolve(node: SchemaNode, roots: SchemaNode[], depth = 0): SchemaNode {
  if (!node.$ref || depth > 4) return node
  const name = node.$ref.split('/').pop()!
  const inDefs = node.$ref.startsWith('#/$defs/')
  for (const root of roots) {
    const found = inDefs ? root.$defs?.[name] : (root as { components?: { schemas?: Record<string, SchemaNode> } }).components?.schemas?.[name]
    // A component may itself be a `$ref` into its own `$defs` (zod's output for a schema with an id).
    if (found) return resolve({ ...found, description: node.description ?? found.description }, [found, ...roots], depth + 1)
  }
  return node
}

/** The type of a node for people: `string`, `integer`, `string[]`, `"sent" | "failed"`, `string | object`. */
export function typeOf(node: SchemaNode, roots: SchemaNode[]): string {
  const n = resolve(node, roots)
  if (n.const !== undefined) return JSON.stringify(n.const)
  if (n.enum) return n.enum.map((v) => JSON.stringify(v)).join(' | ')
  const alts = n.anyOf ?? n.oneOf
  if (alts) return [...new Set(alts.map((a) => typeOf(a, roots)))].join(' | ')
  const t = Array.isArray(n.type) ? n.type.join(' | ') : n.type
  if (t === 'array' && n.items) {
    const item = typeOf(n.items, roots)
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`
  }
  if (t === 'object' && n.additionalProperties && typeof n.additionalProperties === 'object' && !n.properties) {
    return `map of ${typeOf(n.additionalProperties, roots)}`
  }
  return t ?? (n.properties ? 'object' : 'any')
}

/** Limits worth saying next to the meaning (max length, max items, format, default). */
function limits(n: SchemaNode): string {
  const parts = [
    n.format && `format ${n.format}`,
    n.maxLength !== undefined && `at most ${n.maxLength} characters`,
    n.maxItems !== undefined && `at most ${n.maxItems} items`,
    n.minimum !== undefined && `from ${n.minimum}`,
    n.maximum !== undefined && `to ${n.maximum}`,
    n.default !== undefined && `default ${JSON.stringify(n.default)}`,
  ].filter(Boolean)
  return parts.length ? ` (${parts.join(', ')})` : ''
}

/** The object branches of a node (itself, its array items, its anyOf members), to document their fields. */
function objectsIn(node: SchemaNode, roots: SchemaNode[], depth: number): SchemaNode[] {
  if (depth > 6) return []
  const n = resolve(node, roots)
  if (n.properties) return [n]
  if (n.items) return objectsIn(n.items, roots, depth + 1)
  return (n.anyOf ?? n.oneOf ?? []).flatMap((a) => objectsIn(a, roots, depth + 1))
}

/**
 * Every field of an object schema, depth first, nested objects and array items included (`to[].address`), each with
 * its description and example (from zod `.meta()`). `roots` resolve `$ref`s. Stops at 6 levels.
 */
export function fieldRows(schema: SchemaNode, roots: SchemaNode[], prefix = '', depth = 0): FieldRow[] {
  const rows: FieldRow[] = []
  for (const obj of objectsIn(schema, roots, depth)) {
    for (const [key, raw] of Object.entries(obj.properties ?? {})) {
      const n = resolve(raw, roots)
      const name = `${prefix}${key}`
      const example = n.example ?? n.examples?.[0]
      rows.push({
        name,
        type: typeOf(raw, roots),
        required: obj.required?.includes(key) ?? false,
        description: (n.description ?? '') + limits(n),
        example: example === undefined ? '' : JSON.stringify(example),
      })
      if (depth < 6 && !rows.some((r) => r.name.startsWith(`${name}.`) || r.name.startsWith(`${name}[]`))) {
        const nested = n.items ? `${name}[].` : `${name}.`
        rows.push(...fieldRows(raw, roots, nested, depth + 1))
      }
    }
  }
  return rows.filter((r, i) => rows.findIndex((o) => o.name === r.name) === i)
}
