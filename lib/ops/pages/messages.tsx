import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import type { OpsEnv } from '../security.js'
import { cancelAction, messagePage } from './message.js'

/** /ops/messages: the outbound list, a message's page, its cancel action. */
export function messagePages(deps: Deps) {
  const app = new Hono<OpsEnv>()
  app.get('/:id', (c) => messagePage(deps, c))
  app.post('/:id/cancel', (c) => cancelAction(deps, c))
  return app
}
