import type { Context } from 'hono'
import type { Deps } from '../../deps.js'
import { HourlyChart, SERIES } from '../chart.js'
import { overviewCounts, type Overview } from '../overview-counts.js'
import { render } from '../render.js'
import type { OpsEnv } from '../security.js'

/** Where each card leads: the list with that filter. */
const LINKS: Record<string, string> = {
  sent: '/ops/messages?status=sent&since=24h',
  deferred: '/ops/messages?status=deferred&since=24h',
  failed: '/ops/messages?status=failed&since=24h',
  bounced: '/ops/messages?status=bounced&since=24h',
  received: '/ops/inbound?since=24h',
}

const Body = (p: { o: Overview }) => (
  <>
    <div class="cards" id="totals">
      {SERIES.map(([s]) => (
        <a class="card" href={LINKS[s]} data-series={s}>
          <b>
            {p.o.capped.includes(s) ? '≥ ' : ''}
            {p.o.totals[s]}
          </b>
          {s}
        </a>
      ))}
    </div>
    <h2>Last 24 hours, per hour (UTC)</h2>
    <p class="muted">Outbound messages by their status now, in the hour they were accepted; received messages in the hour they arrived.</p>
    <HourlyChart hours={p.o.hours} />
  </>
)

/** GET /ops: totals of the last 24 hours and a chart per hour of sent, deferred, failed, bounced and received. */
export async function overviewPage(deps: Deps, c: Context<OpsEnv>) {
  return render(c, 'Overview', '', <Body o={await overviewCounts(deps, deps.clock.now())} />)
}
