import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, onTestFinished, test } from 'vitest'
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { ConfigError, loadConfig } from '../../lib/config/load.js'

async function withFile(content: unknown) {
  const dir = await mkdtemp(join(tmpdir(), 'postern-cfg-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'postern.config.json')
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content))
  return { dir, file }
}

const issuesOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).issues
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  test('no file and no variables gives the local defaults', async () => {
    const { dir } = await withFile('{}')
    const cfg = loadConfig({}, join(dir, 'elsewhere'))
    expect(cfg).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      store: { driver: 'sqlite', dir: './.postern' },
      apiKeys: [],
      limits: { maxRecipients: 50, maxMessageBytes: 26214400, maxBatch: 100 },
    })
    expect(cfg.relay).toBeUndefined()
  })

  test('every bad field is listed at once, with its path', async () => {
    const { file } = await withFile({
      port: 'eighty',
      relay: { host: '', auth: { user: 'u' } },
      limits: { maxRecipients: 0 },
      apiKeys: [{ id: 'k', hash: 'plain-secret' }],
      bogus: true,
    })
    const issues = issuesOf(() => loadConfig({ POSTERN_CONFIG: file }))
    expect(issues.map((i) => i.path.join('.'))).toEqual(['port', 'relay.host', 'relay.auth.pass', 'apiKeys.0.hash', 'limits.maxRecipients', 'bogus'])
    expect(issues.at(-1)!.message).toMatch(/bogus/)
  })

  test('the message names every field, for a start-up that fails once with all of them', async () => {
    const { file } = await withFile({ port: -1, limits: { maxBatch: 5000 } })
    expect(() => loadConfig({ POSTERN_CONFIG: file })).toThrow(/port: .*\n.*limits\.maxBatch: /)
  })

  test('secrets are read from the environment through { "env": NAME } references', async () => {
    const { file } = await withFile({ relay: { host: 'smtp.example.com', auth: { user: 'mailer', pass: { env: 'RELAY_PASS' } } } })
    expect(loadConfig({ POSTERN_CONFIG: file, RELAY_PASS: 's3cret' }).relay!.auth).toEqual({ user: 'mailer', pass: 's3cret' })
    expect(issuesOf(() => loadConfig({ POSTERN_CONFIG: file }))).toEqual([
      { path: ['relay', 'auth', 'pass'], message: 'environment variable RELAY_PASS is not set' },
    ])
  })

  test('environment overrides: PORT, POSTERN_RELAY_URL, POSTERN_S3_*, POSTERN_API_KEY', () => {
    const cfg = loadConfig(
      {
        PORT: '8080',
        POSTERN_RELAY_URL: 'smtps://user%40x:p%3Ass@smtp.example.com',
        POSTERN_S3_BUCKET: 'mail-bucket',
        POSTERN_S3_ENDPOINT: 'http://127.0.0.1:9000',
        POSTERN_API_KEY: 'k-123',
      },
      '/nonexistent',
    )
    expect(cfg.port).toBe(8080)
    expect(cfg.relay).toMatchObject({ host: 'smtp.example.com', port: 465, tls: 'tls', auth: { user: 'user@x', pass: 'p:ss' } })
    expect(cfg.store).toEqual({ driver: 's3', bucket: 'mail-bucket', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true })
    expect(cfg.apiKeys).toEqual([{ id: 'env', hash: hashApiKey('k-123') }])
  })

  test('POSTERN_STORE chooses the local driver and POSTERN_DATA_DIR its folder, over what the file says', async () => {
    expect(loadConfig({ POSTERN_DATA_DIR: '/data' }, '/nonexistent').store).toEqual({ driver: 'sqlite', dir: '/data' })
    expect(loadConfig({ POSTERN_STORE: 'fs' }, '/nonexistent').store).toEqual({ driver: 'fs', dir: './.postern' })
    const { file } = await withFile({ store: { driver: 'fs', dir: '/from-file' } })
    expect(loadConfig({ POSTERN_CONFIG: file, POSTERN_DATA_DIR: '/data' }).store).toEqual({ driver: 'fs', dir: '/data' })
    expect(loadConfig({ POSTERN_CONFIG: file, POSTERN_STORE: 'sqlite' }).store).toEqual({ driver: 'sqlite', dir: '/from-file' })
    const { file: s3File } = await withFile({ store: { driver: 's3', bucket: 'b-1' } })
    expect(loadConfig({ POSTERN_CONFIG: s3File, POSTERN_STORE: 'fs' }).store).toEqual({ driver: 'fs', dir: './.postern' })
    expect(issuesOf(() => loadConfig({ POSTERN_STORE: 'mysql' }, '/nonexistent'))).toEqual([
      { path: ['env', 'POSTERN_STORE'], message: 'must be sqlite or fs (for S3, set POSTERN_S3_BUCKET)' },
    ])
    expect(issuesOf(() => loadConfig({ POSTERN_STORE: 'fs', POSTERN_S3_BUCKET: 'b-1' }, '/nonexistent'))).toEqual([
      { path: ['env', 'POSTERN_STORE'], message: 'is set with POSTERN_S3_BUCKET: choose one store' },
    ])
  })

  test('bad environment values are issues too', () => {
    expect(issuesOf(() => loadConfig({ PORT: 'abc', POSTERN_RELAY_URL: 'http://x' }, '/nonexistent'))).toEqual([
      { path: ['env', 'PORT'], message: 'must be a whole number' },
      { path: ['env', 'POSTERN_RELAY_URL'], message: 'scheme must be smtp: (STARTTLS) or smtps: (implicit TLS)' },
    ])
  })

  test('ids must be unique, allowedFrom entries must be addresses or domains, retry delays must be ordered', async () => {
    const { file } = await withFile({
      apiKeys: [
        { id: 'a', hash: hashApiKey('one'), allowedFrom: ['ok@example.com', '@example.org', 'example.net', 'not an address', '@', 'a@b@c'] },
        { id: 'a', hash: hashApiKey('two') },
      ],
      retry: { baseDelayMs: 3_600_001, maxDelayMs: 1000 },
      domain: '..',
    })
    expect(issuesOf(() => loadConfig({ POSTERN_CONFIG: file })).map((i) => i.path.join('.'))).toEqual([
      'domain',
      'apiKeys.0.allowedFrom.3',
      'apiKeys.0.allowedFrom.4',
      'apiKeys.0.allowedFrom.5',
      'apiKeys.1.id',
      'retry.baseDelayMs',
    ])
    const { file: dup } = await withFile({
      apiKeys: [
        { id: 'a', hash: hashApiKey('one') },
        { id: 'a', hash: hashApiKey('two') },
      ],
      retry: { baseDelayMs: 3_600_001, maxDelayMs: 1000 },
    })
    expect(issuesOf(() => loadConfig({ POSTERN_CONFIG: dup }))).toEqual([
      { path: ['apiKeys', 1, 'id'], message: 'duplicate id "a"' },
      { path: ['retry', 'baseDelayMs'], message: 'must not be more than retry.maxDelayMs' },
    ])
  })

  test('a relay URL with a bad %-escape and a CA file without a relay are issues, not crashes', () => {
    expect(issuesOf(() => loadConfig({ POSTERN_RELAY_URL: 'smtp://us%zz:pw@smtp.example.com:587' }, '/nonexistent'))).toEqual([
      { path: ['env', 'POSTERN_RELAY_URL'], message: 'the user or password has a bad %-escape; percent-encode them (RFC 3986)' },
    ])
    expect(issuesOf(() => loadConfig({ POSTERN_RELAY_CA_FILE: '/nonexistent.pem' }, '/nonexistent'))).toEqual([
      { path: ['env', 'POSTERN_RELAY_CA_FILE'], message: 'is set but no relay is configured (POSTERN_RELAY_URL or relay)' },
    ])
  })

  test('a named config file that is missing or not JSON stops start-up', async () => {
    expect(issuesOf(() => loadConfig({ POSTERN_CONFIG: '/nonexistent/p.json' }))[0].message).toBe('file not found')
    const { file } = await withFile('{ not json')
    expect(issuesOf(() => loadConfig({ POSTERN_CONFIG: file }))[0].message).toMatch(/JSON/)
  })

  test('the shipped example config is valid', () => {
    expect(() =>
      loadConfig({
        POSTERN_CONFIG: 'postern.config.example.json',
        RELAY_PASSWORD: 'x',
        MAILBOX_PASSWORD: 'x',
        WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
    ).not.toThrow()
  })
})
