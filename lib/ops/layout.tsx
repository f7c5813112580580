import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'

// One stylesheet inline under the page's CSP nonce: no external asset, works offline. Narrow screens (375 px)
// stack the nav and let wide tables scroll inside their own box, never the page.
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9}
a{color:#0b5cad}
header{background:#1b1f24;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
header a{color:#dfe6ee;text-decoration:none}
header a.on{color:#fff;font-weight:600;text-decoration:underline}
header .brand{font-weight:700;color:#fff;margin-right:.5rem}
header nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem;flex:1}
header form{margin:0}
main{padding:1rem;max-width:80rem;margin:0 auto}
h1{font-size:1.35rem;margin:.25rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.scroll{overflow-x:auto;background:#fff;border:1px solid #d8dde3;border-radius:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #eceff3;vertical-align:top}
th{font-weight:600;background:#f0f2f5;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.nowrap{white-space:nowrap}
code,pre,.mono{font:12.5px ui-monospace,monospace}
pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:.6rem;margin:0}
.badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:12px;font-weight:600;background:#e4e7eb;color:#333}
.b-sent,.b-succeeded,.b-ok,.b-healthy{background:#d5f5df;color:#11612e}
.b-queued,.b-scheduled,.b-pending{background:#dde9fb;color:#1d4f91}
.b-deferred,.b-failing{background:#fdf0c8;color:#7a5300}
.b-failed,.b-bounced,.b-dead,.b-error,.b-disabled{background:#fbdada;color:#8d1b1b}
.b-canceled{background:#e4e7eb;color:#444}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#555;gap:.15rem}
input,select,button{font:inherit;padding:.3rem .45rem;border:1px solid #b9c0c8;border-radius:4px;background:#fff;max-width:100%}
button{cursor:pointer;background:#0b5cad;color:#fff;border-color:#0b5cad}
button.danger{background:#b42318;border-color:#b42318}
button.plain{background:#fff;color:#0b5cad}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.6rem;margin-bottom:1rem}
.card{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:.6rem}
.card b{display:block;font-size:1.4rem}
a.card{color:inherit;text-decoration:none}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .9rem;background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:.6rem}
.kv dt{color:#555}.kv dd{margin:0;word-break:break-word}
.flash{padding:.5rem .75rem;border-radius:6px;margin-bottom:1rem;background:#d5f5df}
.flash.err{background:#fbdada}
.pager{display:flex;gap:1rem;margin:.75rem 0}
iframe.mail{width:100%;height:28rem;border:1px solid #d8dde3;border-radius:6px;background:#fff}
svg.chart{width:100%;height:auto;background:#fff;border:1px solid #d8dde3;border-radius:6px}
.legend{display:flex;flex-wrap:wrap;gap:.75rem;font-size:12px;margin:.4rem 0}
.sw{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;vertical-align:-1px;margin-right:.25rem}
.inline{display:inline}
.muted{color:#666}
@media (max-width:600px){main{padding:.6rem}.kv{grid-template-columns:1fr}.kv dt{font-weight:600}}
`

/** The pages of the nav, in order: path under /ops and label. */
export const NAV = [
  ['', 'Overview'],
  ['/messages', 'Outbound'],
  ['/inbound', 'Inbound'],
  ['/webhooks', 'Webhooks'],
  ['/mailboxes', 'Mailboxes'],
  ['/suppressions', 'Suppressions'],
] as const

export interface PageProps {
  title: string
  /** The CSP nonce of this response (lib/ops/security.ts). */
  nonce: string
  /** Which NAV entry is current; none on the sign-in page. */
  section?: (typeof NAV)[number][0]
  /** Signed-in key id and CSRF token: shows the nav and the sign-out button. */
  user?: { keyId: string; csrf: string }
  children?: Child
}

/** The page shell: head with the inline stylesheet, the nav, the content. */
export function Page(p: PageProps) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>{`${p.title} · Postern ops`}</title>
          <style nonce={p.nonce}>{raw(CSS)}</style>
        </head>
        <body>
          <header>
            <span class="brand">Postern ops</span>
            {p.user && (
              <>
                <nav>
                  {NAV.map(([path, label]) => (
                    <a href={`/ops${path}`} class={p.section === path ? 'on' : undefined}>
                      {label}
                    </a>
                  ))}
                </nav>
                <form method="post" action="/ops/logout">
                  <input type="hidden" name="_csrf" value={p.user.csrf} />
                  <span class="muted">{p.user.keyId} </span>
                  <button class="plain" type="submit">
                    Sign out
                  </button>
                </form>
              </>
            )}
          </header>
          <main>
            <h1>{p.title}</h1>
            {p.children}
          </main>
        </body>
      </html>
    </>
  )
}
