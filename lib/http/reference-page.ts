import { html, raw } from 'hono/html'

type Doc = {
  info: { title: string; description: string }
  paths: Record<string, Record<string, { summary: string; description?: string; responses: Record<string, { description: string }> }>>
}

/** A readable API reference rendered on the server from the OpenAPI document (no scripts, no CDN). */
export function referencePage(doc: Doc & { components: { schemas: Record<string, unknown> } }) {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${doc.info.title} API reference</title>
        <style>
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            max-width: 60rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #1b1f24;
          }
          code,
          pre {
            font:
              13px ui-monospace,
              monospace;
            background: #f3f4f6;
            border-radius: 4px;
          }
          pre {
            padding: 0.75rem;
            overflow: auto;
            max-height: 30rem;
          }
          .m {
            font-weight: 700;
            text-transform: uppercase;
            margin-right: 0.5rem;
          }
          section {
            border-top: 1px solid #d0d7de;
            padding: 0.5rem 0;
          }
        </style>
      </head>
      <body>
        <h1>${doc.info.title} API reference</h1>
        <p>${doc.info.description}</p>
        <p>
          Machine-readable: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>. Apps using the Resend
          SDK can use the Resend-compatible routes (<code>POST /emails</code>, <code>POST /emails/batch</code>, <code>GET /emails/{id}</code>): see
          docs/switching-from-resend.md in the repository.
        </p>
        ${ops.map(
          ({ path, method, op }) =>
            html`<section>
              <h2><span class="m">${method}</span><code>${path}</code></h2>
              <p>${op.summary}. ${op.description ?? ''}</p>
              <ul>
                ${Object.entries(op.responses).map(([status, r]) => html`<li><code>${status}</code> ${r.description}</li>`)}
              </ul>
            </section>`,
        )}
        <h2>Schemas</h2>
        ${Object.entries(doc.components.schemas).map(
          ([name, schema]) =>
            html`<section>
              <h3>${name}</h3>
              <pre>${raw(escapeHtml(JSON.stringify(schema, null, 2)))}</pre>
            </section>`,
        )}
      </body>
    </html>`
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
