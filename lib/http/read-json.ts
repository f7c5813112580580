import type { Context } from 'hono'
import type { AppEnv } from './app-env.js'
import { ApiError } from './errors.js'

/** Deepest nesting of arrays and objects a request may have: real requests need 4, and deeper input only costs stack. */
export const MAX_JSON_DEPTH = 64

/** How many times `ch` occurs in `text`, counting no further than `max + 1` (indexOf is native, so this is fast). */
function countUpTo(text: string, ch: string, max: number): number {
  let n = 0
  for (let i = text.indexOf(ch); i !== -1 && n <= max; i = text.indexOf(ch, i + 1)) n++
  return n
}

/**
 * Whether JSON text nests arrays and objects deeper than `limit` (brackets inside strings do not count). Linear, no
 * recursion, and checked before parsing, so a deep body costs one scan, not a parse into millions of arrays. Text
 * with no more than `limit` opening brackets in all cannot nest deeper: that common case skips the scan.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  if (countUpTo(text, '[', limit) + countUpTo(text, '{', limit) <= limit) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return true
    } else if (ch === 0x5d || ch === 0x7d) depth--
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
 * UTF-8 and the body has no Content-Encoding other than identity and no Transfer-Encoding other than chunked;
 * invalid_json (400) when the body is not UTF-8, does not parse, nests too deep, or could not be read to its end.
 */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) throw new ApiError('unsupported_media_type', 'send the body as Content-Type: application/json')
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1].toLowerCase()
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new ApiError('unsupported_media_type', 'send the body as UTF-8 (RFC 8259 §8.1)')
  const encoding = (c.req.header('content-encoding') ?? '').trim().toLowerCase()
  if (encoding !== '' && encoding !== 'identity') throw new ApiError('unsupported_media_type', 'send the body without Content-Encoding')
  // Node undoes `chunked` only; a body sent with another transfer coding (gzip, chunked) would be read as it came.
  const transfer = c.req.header('transfer-encoding')?.trim().toLowerCase()
  if (transfer !== undefined && transfer !== 'chunked')
    throw new ApiError('unsupported_media_type', 'send the body with no Transfer-Encoding other than chunked')
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
  if (nestsDeeperThan(text, MAX_JSON_DEPTH))
    throw new ApiError('invalid_json', `the body is nested too deep: at most ${MAX_JSON_DEPTH} levels of arrays and objects`)
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ApiError('invalid_json', `the body is not valid JSON: ${(err as Error).message}`)
  }
}
