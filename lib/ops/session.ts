import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { isPreconditionFailed, type ObjectStore } from '../store/object-store.js'
import { opsKeys } from '../store/keys.js'
import { hasScope } from '../scopes.js'

/** The /ops session cookie's name; its path is `/ops`. */
export const SESSION_COOKIE = 'postern_ops'
/** How long a sign-in lasts: 12 h in ms. */
export const SESSION_TTL_MS = 12 * 3600_000

/** What a session cookie carries (signed, not encrypted: it holds no secret). */
export interface Session {
  /** The API key's config id. */
  keyId: string
  /** The first 16 hex digits of SHA-256 over the key's configured hash: a rotated key ends its sessions. */
  keyRef: string
  /** Expiry, ms since the epoch. */
  expiresAt: number
  /** Random per sign-in (base64url): what the CSRF token is made from. */
  nonce: string
}

/** Reference to a key's configured hash (never the key itself). */
export const keyRef = (key: Pick<ApiKeyConfig, 'hash'>) => createHash('sha256').update(key.hash).digest('hex').slice(0, 16)

const mac = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest('base64url')

const equal = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A new session for `key`, valid for SESSION_TTL_MS from `now` (ms). */
export const newSession = (key: ApiKeyConfig, now: number): Session => ({
  keyId: key.id,
  keyRef: keyRef(key),
  expiresAt: now + SESSION_TTL_MS,
  nonce: randomBytes(16).toString('base64url'),
})

/** The cookie value: base64url JSON, a dot, then its HMAC-SHA256 under `secret`. */
export function encodeSession(secret: Buffer, s: Session): string {
  const body = Buffer.from(JSON.stringify([s.keyId, s.keyRef, s.expiresAt, s.nonce])).toString('base64url')
  return `${body}.${mac(secret, `session:${body}`)}`
}

/** The session in a cookie value when its signature holds; `null` for anything else (forged, cut, malformed). */
export function decodeSession(secret: Buffer, value: string | undefined): Session | null {
  const [body, sig, extra] = (value ?? '').split('.')
  if (!body || !sig || extra !== undefined || !equal(sig, mac(secret, `session:${body}`))) return null
  try {
    const [keyId, ref, expiresAt, nonce] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[]
    if (typeof keyId !== 'string' || typeof ref !== 'string' || typeof expiresAt !== 'number' || typeof nonce !== 'string') return null
    return { keyId, keyRef: ref, expiresAt, nonce }
  } catch {
    return null
  }
}

/** The CSRF token of a session: an HMAC of its nonce, so it needs no storage and dies with the session. */
export const csrfToken = (secret: Buffer, s: Session) => mac(secret, `csrf:${s.nonce}`)

/** Whether `token` is the session's CSRF token (constant time). */
export const csrfMatches = (secret: Buffer, s: Session, token: unknown) => typeof token === 'string' && equal(token, csrfToken(secret, s))

/**
 * The configured key a session stands for, when it is unexpired at `now` (ms), the key still exists with the same
 * hash, and the key still holds `read` (lib/scopes.ts); `null` otherwise.
 */
export function sessionKey(keys: readonly ApiKeyConfig[], s: Session, now: number): ApiKeyConfig | null {
  if (s.expiresAt <= now) return null
  const key = keys.find((k) => k.id === s.keyId)
  return key && equal(keyRef(key), s.keyRef) && hasScope(key, 'read') ? key : null
}

const secrets = new WeakMap<ObjectStore, Promise<Buffer>>()

/**
 * The signing secret (`ops/session-secret.txt` in the store): read, or made on first use create-only, so every
 * process over one store signs alike. Cached per store.
 * @throws whatever the store throws (the cache then forgets it, so the next request tries again).
 */
export function sessionSecret(deps: Pick<Deps, 'store'>): Promise<Buffer> {
  let p = secrets.get(deps.store)
  if (!p) {
    p = loadSecret(deps.store)
    p.catch(() => secrets.delete(deps.store))
    secrets.set(deps.store, p)
  }
  return p
}

async function loadSecret(store: ObjectStore): Promise<Buffer> {
  const existing = await store.get(opsKeys.sessionSecret)
  if (existing) return Buffer.from(existing.body.toString('utf8').trim(), 'base64url')
  const secret = randomBytes(32)
  try {
    await store.put(opsKeys.sessionSecret, `${secret.toString('base64url')}\n`, { ifNoneMatch: '*', contentType: 'text/plain' })
    return secret
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err
    return loadSecret(store)
  }
}
