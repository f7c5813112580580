import type { Child } from 'hono/jsx'

/** A status as a coloured badge (class `b-<status>`). */
export const Badge = (p: { status: string }) => <span class={`badge b-${p.status}`}>{p.status}</span>

/** An ISO 8601 time as `YYYY-MM-DD HH:MM:SS` UTC (the full value in the title); `—` for none. */
export const Time = (p: { iso: string | null | undefined }) =>
  p.iso ? (
    <time datetime={p.iso} title={p.iso} class="nowrap">
      {p.iso.slice(0, 19).replace('T', ' ')}
    </time>
  ) : (
    <span class="muted">—</span>
  )

/** A table that scrolls sideways in its own box on a narrow screen, so the page never does. */
export const Table = (p: { head: string[]; children?: Child; id?: string }) => (
  <div class="scroll">
    <table id={p.id}>
      <thead>
        <tr>
          {p.head.map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{p.children}</tbody>
    </table>
  </div>
)

/** The hidden field every POST form carries (checked by lib/ops/security.ts). */
export const CsrfField = (p: { token: string }) => <input type="hidden" name="_csrf" value={p.token} />

/** A one-button POST form (retry, cancel, enable, remove). */
export const ActionButton = (p: { action: string; csrf: string; label: string; danger?: boolean; fields?: Record<string, string> }) => (
  <form method="post" action={p.action} class="inline">
    <CsrfField token={p.csrf} />
    {Object.entries(p.fields ?? {}).map(([name, value]) => (
      <input type="hidden" name={name} value={value} />
    ))}
    <button type="submit" class={p.danger ? 'danger' : undefined}>
      {p.label}
    </button>
  </form>
)

/** What a POST left to say, passed back in the redirect's query (`?done=` / `?error=`). */
export const Flash = (p: { done?: string; error?: string }) => (
  <>
    {p.done && (
      <p class="flash" role="status">
        {p.done}
      </p>
    )}
    {p.error && (
      <p class="flash err" role="alert">
        {p.error}
      </p>
    )}
  </>
)

/** One filter of a list: a text input, or a select when `options` are given. */
export interface FilterField {
  name: string
  label: string
  value: string | undefined
  options?: readonly string[]
  placeholder?: string
}

/** A GET form of filters; submitting it reloads the list from its first page. */
export const Filters = (p: { action: string; fields: FilterField[] }) => (
  <form class="filters" method="get" action={p.action}>
    {p.fields.map((f) => (
      <label>
        {f.label}
        {f.options ? (
          <select name={f.name}>
            <option value="">any</option>
            {f.options.map((o) => (
              <option value={o} selected={o === f.value}>
                {o}
              </option>
            ))}
          </select>
        ) : (
          <input name={f.name} value={f.value ?? ''} placeholder={f.placeholder} />
        )}
      </label>
    ))}
    <button type="submit">Filter</button>
    <a href={p.action}>Clear</a>
  </form>
)

/** A link to the next page of a list (its cursor in the query, the filters kept); nothing on the last page. */
export function Pager(p: { path: string; query: Record<string, string | undefined>; nextCursor: string | null }) {
  if (!p.nextCursor) return <></>
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(p.query)) if (v && k !== 'cursor') q.set(k, v)
  q.set('cursor', p.nextCursor)
  return (
    <p class="pager">
      <a href={`${p.path}?${q}`} rel="next">
        Next page →
      </a>
    </p>
  )
}
