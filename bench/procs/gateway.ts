// The gateway under benchmark, in its own process as in a deployment: npm start's code with a local store.
// argv: <data dir> <relay json> [sqlite|fs]. Prints {url} when listening; answers "cpu" with its CPU time so far (µs);
// exits when stdin closes. bench/send.ts passes BENCH_GATEWAY_ARGS to node for this process (e.g. --cpu-prof).
import { hashApiKey } from '../../lib/config/api-key-hash.js'
import { Config } from '../../lib/config/schema.js'
import { startLocal } from '../../lib/local/start-local.js'
import { answerCommands } from './commands.js'

const [dir, relayJson, driver = 'sqlite'] = process.argv.slice(2)
const relay = JSON.parse(relayJson)
const config = Config.parse({
  port: 0,
  store: { driver, dir },
  relay: {
    host: '127.0.0.1',
    port: relay.port,
    tls: 'starttls',
    auth: { user: relay.user, pass: relay.pass },
    ca: relay.ca,
    servername: 'localhost',
    pool: { maxConnections: 5, maxMessages: 100 },
  },
  apiKeys: [{ id: 'bench', hash: hashApiKey('bench-key-0123456789') }],
  rateLimit: { limit: 1_000_000, windowMs: 60_000 },
  logLevel: 'silent',
})
const gw = await startLocal(config)
process.stdout.write(`${JSON.stringify({ url: gw.url })}\n`)
answerCommands({}, () => gw.close().then(() => process.exit(0)))
