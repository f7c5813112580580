// Lambda entry point for the HTTP API (function URL or API Gateway v2): adapts the event to the Hono app.
import { handle } from 'hono/aws-lambda'
import { loadConfig } from '../lib/config/load.js'
import { createDeps } from '../lib/deps.js'
import { createApp } from '../lib/http/app.js'
import { flushAfter } from '../lib/logs/flush-after.js'

const deps = createDeps(loadConfig(process.env))
export const handler = flushAfter(deps, handle(createApp(deps)))
