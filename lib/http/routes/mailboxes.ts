import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { listMailboxes } from '../../inbound/mailbox-view.js'
import { requireScope } from '../../scopes.js'
import type { AppEnv } from '../app-env.js'

/** `/v1/mailboxes`: each mailbox's last poll, cursor and lag; a reconcile of one against the server now (`read`). */
export function mailboxRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    requireScope(c.get('apiKey'), 'read', 'read mailboxes')
    await next()
  })

  app.get('/', async (c) => c.json({ data: await listMailboxes(deps) }))

  app.get('/:id/reconcile', async (c) => {
    const mb = deps.config.mailboxes.find((m) => m.id === c.req.param('id'))
    if (!mb) throw new ApiError('not_found', 'no mailbox has this id')
    // Loaded on first use: reconcile brings the mail clients and the normalizer, which the HTTP function starts without.
    const { reconcileMailbox, MailboxUnreachableError } = await import('../../inbound/reconcile.js')
    try {
      return c.json(await reconcileMailbox(deps, mb))
    } catch (err) {
      if (err instanceof MailboxUnreachableError) throw new ApiError('mailbox_unreachable', err.message)
      throw err
    }
  })
  return app
}
