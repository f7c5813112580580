import type { Context } from 'hono'
import { ApiError } from './errors.js'

/**
 * Reads a JSON request body.
 * @throws ApiError unsupported_media_type (415) unless Content-Type is application/json, invalid_json (400) when it does not parse.
 */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) throw new ApiError('unsupported_media_type', 'send the body as Content-Type: application/json')
  const text = await c.req.text()
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ApiError('invalid_json', `the body is not valid JSON: ${(err as Error).message}`)
  }
}
