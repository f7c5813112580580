import { resolve } from 'node:path'
import type { Config } from '../config/schema.js'
import { storePaths } from '../store/sqlite/body-files.js'
import { INLINE_MAX_BYTES } from '../store/sqlite-store.js'
import type { LocalGateway } from './start-local.js'

/** What `npm start` prints: where things are, a first request to paste, and how to configure real services. */
export function localBanner(config: Config, gw: LocalGateway): string {
  const key = gw.generatedApiKey ?? '<your API key>'
  const s = config.store
  const where =
    s.driver === 'sqlite'
      ? `SQLite database ${resolve(storePaths(s.dir).db)} (bodies over ${INLINE_MAX_BYTES / 1024} KiB in ${resolve(storePaths(s.dir).bodies)})`
      : s.driver === 'fs'
        ? `folder ${resolve(s.dir)}, one file per object`
        : `bucket s3://${s.bucket}`
  const kept = s.driver === 's3' ? `under sandbox/ in the bucket` : `as files in ${resolve(s.dir, 'sandbox')}`
  const lines = [
    '',
    `Postern is listening on ${gw.url}`,
    `  API reference   ${gw.url}/docs   (OpenAPI: ${gw.url}/openapi.json)`,
    `  data            ${where}`,
    gw.generatedApiKey
      ? `  API key         ${gw.generatedApiKey}   (made for local use; set POSTERN_API_KEY or apiKeys to choose your own)`
      : `  API keys        ${config.apiKeys.map((k) => k.id).join(', ')}`,
    gw.sandbox
      ? `  relay           sandbox SMTP on 127.0.0.1:${gw.sandbox.port} (AUTH + STARTTLS); messages are kept ${kept}, never delivered`
      : `  relay           ${config.relay!.host}:${config.relay!.port} (${config.relay!.tls}, AUTH as ${config.relay!.auth.user})`,
    config.mailboxes.length
      ? `  inbound         polling ${config.mailboxes.map((m) => `${m.id} (${m.protocol} ${m.host}, every ${m.schedule.everyMs / 1000} s)`).join(', ')}; webhooks to ${config.webhooks.map((w) => w.id).join(', ') || 'none'}`
      : '  inbound         no mailboxes configured (see docs/inbound.md)',
    '',
    'Send a first message:',
    `  curl -s ${gw.url}/v1/messages -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
    `    -d '{"from":"you@example.com","to":"friend@example.com","subject":"Hello","text":"Sent through Postern"}'`,
    `  curl -s ${gw.url}/v1/messages/<id> -H 'Authorization: Bearer ${key}'`,
    '',
    gw.sandbox ? 'Real relay: POSTERN_RELAY_URL=smtp://user:pass@smtp.example.com:587 (or smtps://...:465).' : '',
    s.driver === 's3' ? '' : 'S3 instead of a folder: POSTERN_S3_BUCKET=name (POSTERN_S3_ENDPOINT for S3-compatible services).',
    s.driver === 'sqlite' ? 'One file per object instead of a database: POSTERN_STORE=fs.' : '',
    'Everything else: postern.config.json (see postern.config.example.json and docs/configuration.md).',
    '',
  ]
  return lines.filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n')
}
