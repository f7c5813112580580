import type { Context } from 'hono'
import type { AppEnv } from './app-env.js'
import { ApiError } from '../errors.js'
import { duplicateKey } from '../json/duplicate-keys.js'
import { jsonParseProblem } from '../json/parse-error.js'
import { jsonShapeProblem } from '../json/shape.js'

/** Deepest nesting of arrays and objects a request may have: real requests need 4, and deeper input only costs stack. */
export const MAX_JSON_DEPTH = 64

/**
 * Most JSON items a request may have: arrays and objects, plus every member and element after the first of each
 * (the commas). A full batch (100 messages, each with recipient lists, attachments, headers, metadata and tags at
 * their caps) has about 30,000; millions of keys or elements only cost a long parse and validation.
 */
export const MAX_JSON_ITEMS = 100_000

/** A body the client stopped sending: nothing is wrong with the gateway, so it is logged at info, not as an error. */
export function bodyNotRead(c: Context<AppEnv>, err: unknown): ApiError {
  c.get('logger')?.info({ err, path: c.req.path }, 'request body not read to its end (client gone?)')
  return new ApiError('invalid_json', 'the request body could not be read to its end')
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads a JSON request body (RFC 8259: UTF-8, §8.1), nested at most MAX_JSON_DEPTH deep, with at most
 * MAX_JSON_ITEMS arrays, objects, members and elements.
 * A body the client stopped sending is logged at info (nothing is wrong with the gateway) and refused.
 * @throws ApiError unsupported_media_type (415) unless Content-Type is application/json with no charset other than
 * UTF-8 and the body has no Content-Encoding other than identity and no Transfer-Encoding other than chunked;
 * invalid_json (400) when the body is not UTF-8, does not parse, nests too deep, has too many values, has a key twice
 * in one object (issue code `duplicate_key` at the key's path), or could not be read to its end.
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
  const shape = jsonShapeProblem(text, MAX_JSON_DEPTH, MAX_JSON_ITEMS)
  if (shape === 'too_deep') throw new ApiError('invalid_json', `the body is nested too deep: at most ${MAX_JSON_DEPTH} levels of arrays and objects`)
  if (shape === 'too_many') throw new ApiError('invalid_json', `the body has too many values: at most ${MAX_JSON_ITEMS} arrays, objects, members and elements`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ApiError('invalid_json', `the body is not valid JSON: ${jsonParseProblem(err)}`)
  }
  const dup = duplicateKey(text, value)
  if (dup) {
    const message = `the key ${JSON.stringify(dup.key)} appears twice in one object (RFC 7493 §2.3)`
    throw new ApiError('invalid_json', `the body is not valid JSON: ${message}`, [{ path: [...dup.path, dup.key], code: 'duplicate_key', message }])
  }
  return value
}
