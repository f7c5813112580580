import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { hasScope } from '../../scopes.js'
import { addManualSuppression, removeManualSuppression, scopeOf } from '../../suppressions/manual.js'
import { GLOBAL_SCOPE, listSuppressions, type Suppression } from '../../suppressions/suppression.js'
import { ActionButton, CsrfField, Filters, Flash, Pager, Table, Time } from '../components.js'
import { back, queryOf, render } from '../render.js'
import type { OpsEnv } from '../security.js'

const PAGE = 50

const Rows = (p: { items: Suppression[]; admin: boolean; csrf: string }) => (
  <Table head={['Address', 'Scope', 'Reason', 'Since', 'Message', 'Note', '']} id="suppressions">
    {p.items.map((s) => (
      <tr>
        <td>{s.address}</td>
        <td>{s.scope}</td>
        <td>{s.reason}</td>
        <td>
          <Time iso={s.createdAt} />
        </td>
        <td>{s.messageId ? <a href={`/ops/messages/${s.messageId}`}>{s.messageId}</a> : '—'}</td>
        <td>{s.detail ?? '—'}</td>
        <td>
          {p.admin && (
            <ActionButton
              action="/ops/suppressions/remove"
              csrf={p.csrf}
              label="Remove"
              danger
              fields={{ address: s.address, domain: s.scope === GLOBAL_SCOPE ? '' : s.scope }}
            />
          )}
        </td>
      </tr>
    ))}
  </Table>
)

const AddForm = (p: { csrf: string; perDomain: boolean }) => (
  <form method="post" action="/ops/suppressions" class="filters" id="add-suppression">
    <CsrfField token={p.csrf} />
    <label>
      Address
      <input name="address" required />
    </label>
    {p.perDomain && (
      <label>
        Sending domain
        <input name="domain" required />
      </label>
    )}
    <label>
      Note
      <input name="note" />
    </label>
    <button type="submit">Suppress</button>
  </form>
)

/** The issue of an ApiError in words for the page's flash (`address: must be an address`). */
const say = (err: ApiError) => [err.message, ...err.issues.map((i) => `${i.path.join('.')}: ${i.message}`)].join('; ')

/** /ops/suppressions: the list (paged, by scope in per-domain mode), add and remove (both `admin`). */
export function suppressionPages(deps: Deps) {
  const app = new Hono<OpsEnv>()
  const perDomain = deps.config.suppressions.scope !== 'global'

  app.get('/', async (c) => {
    const q = queryOf(c, ['domain', 'cursor'])
    // The same scope the API lists: the domain as sends look it up (lower-case IDNA ASCII), all of them when none.
    const scope = !perDomain || q.domain ? scopeOf(deps, q.domain, ['query', 'domain']) : undefined
    const page = await listSuppressions(deps, { scope, after: q.cursor, limit: PAGE })
    const admin = hasScope(c.get('apiKey'), 'admin')
    const body = (
      <>
        <Flash done={c.req.query('done')} error={c.req.query('error')} />
        {admin && <AddForm csrf={c.get('csrf')} perDomain={perDomain} />}
        {perDomain && <Filters action="/ops/suppressions" fields={[{ name: 'domain', label: 'Sending domain', value: q.domain }]} />}
        <Rows items={page.items} admin={admin} csrf={c.get('csrf')} />
        <Pager path="/ops/suppressions" query={q} nextCursor={page.next} />
      </>
    )
    return render(c, 'Suppressions', '/suppressions', body)
  })

  const adminOnly = (key: OpsEnv['Variables']['apiKey']) => {
    if (!hasScope(key, 'admin')) throw new ApiError('insufficient_scope', 'this key needs the "admin" scope to change the suppression list')
  }
  const field = (v: unknown) => (typeof v === 'string' ? v : '')

  app.post('/', async (c) => {
    adminOnly(c.get('apiKey'))
    const form = await c.req.parseBody()
    try {
      const { entry, created } = await addManualSuppression(deps, {
        address: field(form.address),
        domain: field(form.domain) || undefined,
        note: field(form.note) || undefined,
      })
      return back(c, '/ops/suppressions', { done: created ? `Suppressed ${entry.address}.` : `${entry.address} was already suppressed.` })
    } catch (err) {
      if (err instanceof ApiError && err.code === 'validation_failed') return back(c, '/ops/suppressions', { error: say(err) })
      throw err
    }
  })

  app.post('/remove', async (c) => {
    adminOnly(c.get('apiKey'))
    const form = await c.req.parseBody()
    try {
      const removed = await removeManualSuppression(deps, field(form.address), field(form.domain) || undefined, ['domain'])
      return back(c, '/ops/suppressions', removed ? { done: `Removed ${field(form.address)}.` } : { error: `${field(form.address)} is not on the list.` })
    } catch (err) {
      if (err instanceof ApiError && err.code === 'validation_failed') return back(c, '/ops/suppressions', { error: say(err) })
      throw err
    }
  })
  return app
}
