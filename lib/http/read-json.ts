import type { Context } from 'hono'
import type { AppEnv } from './app-env.js'
import { ApiError } from './errors.js'

/** Deepest nesting of arrays and objects a request may have: real requests need 4, and deeper input only costs stack. */
export const MAX_JSON_DEPTH = 64

/**
 * Whether a parsed JSON value nests arrays and objects deeper than `limit`. Iterative, so any depth is safe to
 * check (V8's JSON.parse is iterative too); it visits containers only, so a large string costs nothing.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length) {
    const [v, depth] = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth > limit) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}

/** A body the client stopped sending: nothing is wrong with the gateway, so it is logged at info, not as an error. */
export function bodyNotRead(c: Context<AppEnv>, err: unknown): ApiError {
  c.get('logger')?.info({ err, path: c.req.path }, 'request body not read to its end (client gone?)')
  return new ApiError('invalid_json', 'the request body could not be read to its end')
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads a JSON request body (RFC 8259: UTF-8, §8.1), nested at most MAX_JSON_DEPTH deep.
 * A body the client stopped sending is logged at info (nothing is wrong with the gateway) and refused.
 * @throws ApiError unsupported_media_type (415) unless Content-Type is application/json with no charset other than
 * UTF-8 and the body has no Content-Encoding other than identity; invalid_json (400) when the body is not UTF-8, does
 * not parse, nests too deep, or could not be read to its end.
 */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) throw new ApiError('unsupported_media_type', 'send the body as Content-Type: application/json')
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1].toLowerCase()
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new ApiError('unsupported_media_type', 'send the body as UTF-8 (RFC 8259 §8.1)')
  const encoding = (c.req.header('content-encoding') ?? '').trim().toLowerCase()
  if (encoding !== '' && encoding !== 'identity') throw new ApiError('unsupported_media_type', 'send the body without Content-Encoding')
  let bytes: ArrayBuffer
  try {
    bytes = await c.req.arrayBuffer()
  } catch (err) {
    throw bodyNotRead(c, err)
  }
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw new ApiError('invalid_json', 'the body is not valid UTF-8 (RFC 8259 §8.1)')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ApiError('invalid_json', `the body is not valid JSON: ${(err as Error).message}`)
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH))
    throw new ApiError('invalid_json', `the body is nested too deep: at most ${MAX_JSON_DEPTH} levels of arrays and objects`)
  return value
}
