/** What the CLI needs to reach a gateway: its base URL and an API key (`read` or `admin` scope for reading). */
export interface ApiTarget {
  url: string
  key: string
}

/**
 * A refusal by the API (its `{ error: { code, message, issues } }` body), or a gateway that could not be reached
 * (`code` `unreachable`) or did not answer JSON (`bad_response`).
 */
export class CliApiError extends Error {
  constructor(
    readonly status: number | null,
    readonly code: string,
    message: string,
    readonly issues: { path: (string | number)[]; message: string }[] = [],
  ) {
    super(message)
    this.name = 'CliApiError'
  }
}

/** Query values: undefined and empty ones are left out; arrays are joined with commas. */
export function queryString(query: Record<string, string | number | string[] | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue
    q.set(k, Array.isArray(v) ? v.join(',') : String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

/**
 * GETs `path` (with `query`) from the gateway with the key as a bearer token and returns the parsed JSON body.
 * @throws CliApiError for a non-2xx answer (with the API's code and message), an unreachable gateway or a body that is not JSON.
 */
export async function apiGet<T>(
  target: ApiTarget,
  path: string,
  query: Record<string, string | number | string[] | undefined> = {},
  signal?: AbortSignal,
): Promise<T> {
  const url = new URL(path + queryString(query), target.url.endsWith('/') ? target.url : `${target.url}/`)
  let res: Response
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${target.key}`, accept: 'application/json' }, signal })
  } catch (err) {
    if (signal?.aborted) throw err
    throw new CliApiError(null, 'unreachable', `cannot reach ${target.url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`)
  }
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new CliApiError(res.status, 'bad_response', `${url.pathname} answered HTTP ${res.status} without JSON: ${text.slice(0, 200)}`)
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; issues?: CliApiError['issues'] } }).error
    throw new CliApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `HTTP ${res.status}`, e?.issues ?? [])
  }
  return body as T
}

/** The lines the CLI prints for an API error: `error: <code>: <message>`, then one line per bad field. */
export function formatApiError(err: CliApiError): string {
  return [`error: ${err.code}: ${err.message}`, ...err.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)].join('\n')
}
