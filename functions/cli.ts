// `npx postern ...`: operator commands. Loads the same config as the server (POSTERN_CONFIG and env overrides).
import { Command } from 'commander'
import cliProgress from 'cli-progress'
import { pino } from 'pino'
import { registerApiCommands } from '../lib/cli/api-commands.js'
import { hashApiKey } from '../lib/config/api-key-hash.js'
import { ConfigError, loadConfig } from '../lib/config/load.js'
import { createDeps, createStore } from '../lib/deps.js'
import { findMailbox } from '../lib/inbound/poll-all.js'
import { pollAndRecord } from '../lib/inbound/last-poll.js'
import { formatSummary } from '../lib/inbound/poll-summary.js'
import { rebuildIndexes } from '../lib/logs/rebuild-indexes.js'
import { formatCopySummary, migrateFsFolder } from '../lib/store/migrate.js'
import { createWebhookDispatcher } from '../lib/webhooks/dispatcher.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const program = new Command('postern').description('Postern email gateway: operator commands')

program
  .command('poll')
  .description('poll one mailbox now, store what is new and send its webhooks')
  .argument('<mailbox-id>', 'id of a configured mailbox')
  .option('--no-webhooks', 'store only; leave the events for the next delivery run')
  .action(async (id: string, opts: { webhooks: boolean }) => {
    const config = loadConfig(process.env)
    // Logs go to stderr at warn, so the progress bar and summary stay readable; POSTERN_LOG_LEVEL overrides.
    const deps = createDeps(config, { logger: pino({ level: process.env.POSTERN_LOG_LEVEL ? config.logLevel : 'warn' }, pino.destination(2)) })
    const mb = findMailbox(deps, id)
    const bar = new cliProgress.SingleBar({ format: `${id} [{bar}] {value}/{total} messages`, stream: process.stderr }, cliProgress.Presets.shades_classic)
    bar.start(0, 0)
    const summary = await pollAndRecord(deps, mb, {
      onFound: (n) => bar.setTotal(bar.getTotal() + n),
      onMessage: () => bar.increment(),
    })
    bar.stop()
    console.log(formatSummary(summary))
    if (opts.webhooks && deps.config.webhooks.length && (summary.stored || summary.resets)) {
      const d = await createWebhookDispatcher(deps).runAll()
      console.log(`webhooks: ${d.delivered} delivered, ${d.retried} to retry, ${d.deadLettered} dead-lettered`)
    }
    await deps.eventLog.flush()
    if (summary.error) {
      console.error(`poll failed: ${summary.error.message}`)
      process.exitCode = 1
    } else if (summary.busy) process.exitCode = 75 // EX_TEMPFAIL
  })

program
  .command('migrate')
  .description('copy a data folder written by the fs store driver into the configured store (sqlite by default); safe to run again')
  .requiredOption('--from <driver>', 'the driver that wrote the folder: fs')
  .option('--dir <folder>', 'the folder to copy (default: the configured data folder, ./.postern)')
  .action(async (opts: { from: string; dir?: string }) => {
    if (opts.from !== 'fs') throw new Error(`--from ${opts.from}: only fs can be migrated from`)
    const config = loadConfig(process.env)
    if (config.store.driver === 'fs')
      throw new Error('the configured store is the fs driver itself: migrate into sqlite (unset POSTERN_STORE) or S3 (POSTERN_S3_BUCKET)')
    const dir = opts.dir ?? (config.store.driver === 'sqlite' ? config.store.dir : './.postern')
    const store = createStore(config)
    try {
      console.log(formatCopySummary(await migrateFsFolder(dir, store)))
    } finally {
      await store.close?.()
    }
  })

program
  .command('reindex')
  .description('write the list indexes (GET /v1/messages, /v1/inbound) of data stored before they existed; safe to run again')
  .action(async () => {
    const store = createStore(loadConfig(process.env))
    try {
      const done = await rebuildIndexes({ store }, (s) => process.stderr.write(`\rindexed ${s.messages} messages, ${s.inbound} received`))
      console.error('')
      console.log(`indexed ${done.messages} messages and ${done.inbound} received messages`)
    } finally {
      await store.close?.()
    }
  })

program
  .command('hash-key')
  .description('print the sha256: form of an API key, for apiKeys[].hash in the config')
  .argument('<token>', 'the bearer token')
  .action((token: string) => console.log(hashApiKey(token)))

registerApiCommands(program, {
  env: process.env,
  now: () => Date.now(),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  onInterrupt: (stop) => process.once('SIGINT', stop),
})

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(78) // EX_CONFIG
  }
  console.error((err as Error).message)
  process.exit(1)
}
