import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { ConfigError, loadConfig, type ConfigIssue } from '../../lib/config/load.js'

// Bad config files through the real loader (lib/config/load.ts): each stops start-up with a ConfigError that names
// the file, or the path of every bad field; none is a crash without a path, none is loaded half-right.
const dir = mkdtempSync(join(tmpdir(), 'postern-bad-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What loading `content` as POSTERN_CONFIG gives: its issues, or 'loaded'. `null` makes the path a directory. */
function load(name: string, content: string | Buffer | null, env: Record<string, string> = {}): ConfigIssue[] | 'loaded' {
  const file = join(dir, `${name}.json`)
  if (content === null) mkdirSync(file)
  else writeFileSync(file, content)
  try {
    loadConfig({ POSTERN_CONFIG: file, ...env })
    return 'loaded'
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // The message lists every issue with its path, for a start-up log.
    for (const i of err.issues) expect(err.message).toContain(`${i.path.join('.') || '(root)'}: ${i.message}`)
    return err.issues
  }
}
const inFile = (name: string, message: unknown) => [{ path: ['file', join(dir, `${name}.json`)], message }]
const json = (v: unknown) => JSON.stringify(v)

test('bad config files: each a ConfigError naming the file or the field', () => {
  const got = {
    directory: load('directory', null),
    empty: load('empty', ''),
    truncated: load('truncated', '{"relay": {"host": "smtp.example.com"'),
    'NaN literal': load('nan', '{"relay": {"host": "smtp.example.com", "auth": {"user": "u", "pass": "hunter2"}, "port": NaN}}'),
    'not UTF-8 (latin1 password)': load('latin1', Buffer.from('{"relay": {"host": "smtp.example.com", "auth": {"user": "u", "pass": "s\xe9cret"}}}', 'latin1')),
    'top-level array': load('array', '[]'),
    'top-level null': load('null', 'null'),
    'a key twice': load('twice', '{"relay": {"host": "a.example.com", "port": 25, "port": 587}}'),
    '100,000 levels': load('deep', `{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    '__proto__ key': load('proto', '{"__proto__": {"logLevel": "debug"}}'),
    'unknown nested field': load('nested', json({ relay: { host: 'smtp.example.com', auth: { user: 'u', pass: 'p' }, hots: 'x' } })),
    'wrong types': load('types', json({ port: '8080', logLevel: 3, apiKeys: {} })),
    'port out of range': load('port', json({ port: 70000 })),
    'secret reference to an unset variable': load(
      'secret',
      json({ relay: { host: 'smtp.example.com', auth: { user: 'u', pass: { env: 'POSTERN_TEST_UNSET' } } } }),
    ),
    'lone surrogate': load('surrogate', '{"domain": "mail\\ud800.example.com"}'),
  }
  expect(got).toEqual({
    directory: inFile('directory', 'EISDIR: illegal operation on a directory, read'),
    empty: inFile('empty', 'Unexpected end of JSON input'),
    // V8's words; Node 22 adds the line and column.
    truncated: inFile('truncated', expect.stringMatching(/^Expected ',' or '}' after property value in JSON at position 37\b/)),
    // V8 quotes the text around the error; the message leaves it out (it may be a secret).
    'NaN literal': inFile('nan', "Unexpected token 'N'"),
    'not UTF-8 (latin1 password)': inFile('latin1', 'not valid UTF-8: save the file as UTF-8'),
    'top-level array': [{ path: [], message: 'the config file must hold a JSON object' }],
    'top-level null': [{ path: [], message: 'the config file must hold a JSON object' }],
    'a key twice': [{ path: ['relay', 'port'], message: 'is written twice in one object; keep one' }],
    '100,000 levels': inFile('deep', 'nested deeper than 64 levels'),
    '__proto__ key': [{ path: ['__proto__'], message: 'unknown field "__proto__"' }],
    'unknown nested field': [{ path: ['relay', 'hots'], message: 'unknown field "hots"' }],
    'wrong types': [
      { path: ['port'], message: 'Invalid input: expected number, received string' },
      { path: ['apiKeys'], message: 'Invalid input: expected array, received object' },
      { path: ['logLevel'], message: 'Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"' },
    ],
    'port out of range': [{ path: ['port'], message: 'Too big: expected number to be <=65535' }],
    'secret reference to an unset variable': [{ path: ['relay', 'auth', 'pass'], message: 'environment variable POSTERN_TEST_UNSET is not set' }],
    'lone surrogate': [{ path: ['domain'], message: 'must be a host name like mail.example.com' }],
  })
})

test('10,000 unknown keys: the first 100 are listed, not 10,000', () => {
  const issues = load('keys', json(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))))
  expect(issues).toEqual(Array.from({ length: 100 }, (_, i) => ({ path: [`k${i}`], message: `unknown field "k${i}"` })))
})

test('a byte order mark (as some Windows editors save UTF-8) is dropped, and the file loads', () => {
  expect(load('bom', `\ufeff${json({ logLevel: 'warn' })}`)).toBe('loaded')
})
