// `npm start`: the whole gateway on one machine (HTTP API, delivery, sandbox relay, inbound polling).
import { ConfigError, loadConfig } from '../lib/config/load.js'
import { startLocal } from '../lib/local/start-local.js'
import { localBanner } from '../lib/local/banner.js'
import { stopWithNpm } from '../lib/local/stop-with-npm.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

try {
  const config = loadConfig(process.env)
  const gw = await startLocal(config)
  console.log(localBanner(config, gw))
  let stopping: Promise<void> | undefined
  const stop = () => (stopping ??= gw.close().then(() => process.exit(0)))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  stopWithNpm(() => void stop())
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(78) // EX_CONFIG
  }
  if ((err as { cause?: NodeJS.ErrnoException }).cause?.code === 'EADDRINUSE') {
    console.error((err as Error).message)
    process.exit(69) // EX_UNAVAILABLE
  }
  throw err
}
