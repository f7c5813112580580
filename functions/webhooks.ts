// Scheduled Lambda: one delivery run of every webhook endpoint over the outbox.
import { loadConfig } from '../lib/config/load.js'
import { createDeps } from '../lib/deps.js'
import { createWebhookDispatcher } from '../lib/webhooks/dispatcher.js'

const dispatcher = createWebhookDispatcher(createDeps(loadConfig(process.env)))

export const handler = () => dispatcher.runAll()
