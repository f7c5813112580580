import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { hashApiKey } from './api-key-hash.js'
import { toFieldIssues } from '../field-issues.js'
import { duplicateKey } from '../json/duplicate-keys.js'
import { jsonParseProblem } from '../json/parse-error.js'
import { jsonShapeProblem } from '../json/shape.js'
import { Config } from './schema.js'

export interface ConfigIssue {
  /** Where the bad value is: a JSON path into the config file, or `['env', NAME]`. */
  path: (string | number)[]
  message: string
}

/** Thrown by loadConfig with every bad field at once, so one start-up lists them all. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/**
 * Replaces every secret reference `{ "env": "NAME" }` with the value of that environment variable,
 * so secrets need not be written in the file. A reference to an unset variable is an issue.
 */
function resolveSecrets(value: Json, env: Record<string, string | undefined>, path: (string | number)[], issues: ConfigIssue[]): Json {
  if (Array.isArray(value)) return value.map((v, i) => resolveSecrets(v, env, [...path, i], issues))
  if (value && typeof value === 'object') {
    const keys = Object.keys(value)
    if (keys.length === 1 && keys[0] === 'env' && typeof value.env === 'string') {
      const v = env[value.env]
      if (v === undefined) issues.push({ path, message: `environment variable ${value.env} is not set` })
      return v ?? null
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecrets(v, env, [...path, k], issues)]))
  }
  return value
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
/** Deepest nesting a config file may have: real ones need about 6; deeper only costs stack. */
const MAX_CONFIG_DEPTH = 64

/**
 * The JSON of a config file: UTF-8 (a leading byte order mark, which some editors write, is dropped), nested at most
 * MAX_CONFIG_DEPTH deep, no key twice in one object (JSON.parse would keep the last one silently).
 * @throws ConfigError naming the file, or the path of a key written twice.
 */
function parseConfigFile(bytes: Buffer, file: string): Json {
  const fail = (message: string) => new ConfigError([{ path: ['file', file], message }])
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw fail('not valid UTF-8: save the file as UTF-8')
  }
  if (jsonShapeProblem(text, MAX_CONFIG_DEPTH, Number.MAX_SAFE_INTEGER)) throw fail(`nested deeper than ${MAX_CONFIG_DEPTH} levels`)
  let raw: Json
  try {
    raw = JSON.parse(text) as Json
  } catch (err) {
    throw fail(jsonParseProblem(err))
  }
  const dup = duplicateKey(text, raw)
  if (dup) throw new ConfigError([{ path: [...dup.path, dup.key], message: 'is written twice in one object; keep one' }])
  return raw
}

/** Parses `smtp://user:pass@host:587` (STARTTLS required) or `smtps://user:pass@host:465` (implicit TLS). */
function relayFromUrl(raw: string, issues: ConfigIssue[]): Json | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    issues.push({ path: ['env', 'POSTERN_RELAY_URL'], message: 'must be a URL like smtp://user:pass@host:587' })
    return undefined
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    issues.push({ path: ['env', 'POSTERN_RELAY_URL'], message: 'scheme must be smtp: (STARTTLS) or smtps: (implicit TLS)' })
    return undefined
  }
  const tls = url.protocol === 'smtps:' ? 'tls' : 'starttls'
  let user: string
  let pass: string
  try {
    user = decodeURIComponent(url.username)
    pass = decodeURIComponent(url.password)
  } catch {
    issues.push({ path: ['env', 'POSTERN_RELAY_URL'], message: 'the user or password has a bad %-escape; percent-encode them (RFC 3986)' })
    return undefined
  }
  return { host: url.hostname, port: url.port ? Number(url.port) : tls === 'tls' ? 465 : 587, tls, auth: { user, pass } }
}

function intFromEnv(env: Record<string, string | undefined>, name: string, issues: ConfigIssue[]): number | undefined {
  const v = env[name]
  if (v === undefined || v === '') return undefined
  if (!/^\d+$/.test(v)) {
    issues.push({ path: ['env', name], message: 'must be a whole number' })
    return undefined
  }
  return Number(v)
}

/**
 * Loads the configuration: the JSON file at `POSTERN_CONFIG` (default `./postern.config.json`, optional when
 * not named), secret references resolved, then environment overrides (PORT, POSTERN_DATA_DIR, POSTERN_STORE (sqlite or
 * fs), POSTERN_DOMAIN,
 * POSTERN_RELAY_URL, POSTERN_RELAY_CA_FILE (PEM of a private relay CA), POSTERN_S3_BUCKET, POSTERN_S3_ENDPOINT, POSTERN_S3_REGION, POSTERN_API_KEY,
 * POSTERN_LOG_LEVEL; on AWS also AWS_REGION, POSTERN_DELIVERY_QUEUE_URL, POSTERN_POLL_QUEUE_URL, POSTERN_WEBHOOK_QUEUE_URL, POSTERN_SSM_ENDPOINT), validated by the one zod schema in lib/config/schema.ts.
 * @throws ConfigError listing every bad field with its path.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const issues: ConfigIssue[] = []
  const named = env.POSTERN_CONFIG
  const file = resolve(cwd, named ?? 'postern.config.json')
  let raw: Json = {}
  let bytes: Buffer | null = null
  try {
    bytes = readFileSync(file)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' || named) {
      const why = code === 'ENOENT' ? 'file not found' : (err as Error).message
      throw new ConfigError([{ path: ['file', file], message: why }])
    }
  }
  if (bytes) raw = parseConfigFile(bytes, file)
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError([{ path: [], message: 'the config file must hold a JSON object' }])

  const cfg = resolveSecrets(raw, env, [], issues) as { [k: string]: Json }
  const port = intFromEnv(env, 'PORT', issues)
  if (port !== undefined) cfg.port = port
  if (env.POSTERN_DOMAIN) cfg.domain = env.POSTERN_DOMAIN
  if (env.POSTERN_LOG_LEVEL) cfg.logLevel = env.POSTERN_LOG_LEVEL
  const driver = env.POSTERN_STORE
  if (driver && driver !== 'sqlite' && driver !== 'fs') {
    issues.push({ path: ['env', 'POSTERN_STORE'], message: 'must be sqlite or fs (for S3, set POSTERN_S3_BUCKET)' })
  } else if (driver && env.POSTERN_S3_BUCKET) {
    issues.push({ path: ['env', 'POSTERN_STORE'], message: 'is set with POSTERN_S3_BUCKET: choose one store' })
  } else if (env.POSTERN_S3_BUCKET) {
    cfg.store = {
      driver: 's3',
      bucket: env.POSTERN_S3_BUCKET,
      ...(env.POSTERN_S3_REGION ? { region: env.POSTERN_S3_REGION } : {}),
      ...(env.POSTERN_S3_ENDPOINT ? { endpoint: env.POSTERN_S3_ENDPOINT, forcePathStyle: true } : {}),
    }
  } else if (env.POSTERN_DATA_DIR || driver) {
    // A local store: the driver named, else the file's local driver, else sqlite; the folder named, else the file's.
    const file = cfg.store && typeof cfg.store === 'object' && !Array.isArray(cfg.store) ? cfg.store : {}
    const local = file.driver === 'fs' || file.driver === 'sqlite'
    const dir = env.POSTERN_DATA_DIR || (local && typeof file.dir === 'string' ? file.dir : undefined)
    cfg.store = { driver: driver || (local ? file.driver! : 'sqlite'), ...(dir ? { dir } : {}) }
  }
  if (env.POSTERN_RELAY_URL) {
    const relay = relayFromUrl(env.POSTERN_RELAY_URL, issues)
    if (relay) cfg.relay = relay
  }
  if (env.POSTERN_RELAY_CA_FILE && !(cfg.relay && typeof cfg.relay === 'object')) {
    issues.push({ path: ['env', 'POSTERN_RELAY_CA_FILE'], message: 'is set but no relay is configured (POSTERN_RELAY_URL or relay)' })
  }
  if (env.POSTERN_RELAY_CA_FILE && cfg.relay && typeof cfg.relay === 'object' && !Array.isArray(cfg.relay)) {
    try {
      cfg.relay.ca = readFileSync(resolve(cwd, env.POSTERN_RELAY_CA_FILE), 'utf8')
    } catch (err) {
      issues.push({ path: ['env', 'POSTERN_RELAY_CA_FILE'], message: `cannot read the CA file: ${(err as Error).message}` })
    }
  }
  const aws = {
    region: env.AWS_REGION,
    deliveryQueueUrl: env.POSTERN_DELIVERY_QUEUE_URL,
    pollQueueUrl: env.POSTERN_POLL_QUEUE_URL,
    webhookQueueUrl: env.POSTERN_WEBHOOK_QUEUE_URL,
    ssmEndpoint: env.POSTERN_SSM_ENDPOINT,
  }
  const setAws = Object.fromEntries(Object.entries(aws).filter(([, v]) => v))
  if (Object.keys(setAws).length) cfg.aws = { ...(cfg.aws && typeof cfg.aws === 'object' && !Array.isArray(cfg.aws) ? cfg.aws : {}), ...setAws } as Json
  if (env.POSTERN_API_KEY) {
    const keys = Array.isArray(cfg.apiKeys) ? cfg.apiKeys : []
    cfg.apiKeys = [...keys, { id: 'env', hash: hashApiKey(env.POSTERN_API_KEY) }]
  }

  const parsed = Config.safeParse(cfg)
  if (!parsed.success) {
    // A missing secret already has its issue; the schema's complaint about the same empty field adds nothing.
    const said = issues.map((i) => i.path.join('.'))
    const schemaIssues = toFieldIssues(parsed.error.issues).filter((i) => !said.some((p) => i.path.join('.').startsWith(p)))
    issues.push(...schemaIssues.map(({ path, message }) => ({ path, message })))
  }
  if (issues.length) throw new ConfigError(issues)
  return parsed.data!
}

/** The config schema as JSON Schema (draft 2020-12), for editors and docs. */
export const configJsonSchema = () => z.toJSONSchema(Config, { io: 'input' })
