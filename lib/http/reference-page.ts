import { z } from 'zod'
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { ERROR_CODES } from '../errors.js'
import { EVENT_SCHEMAS } from '../events/schemas.js'
import { ERROR_MEANINGS } from './error-docs.js'
import { fieldRows, typeOf, type FieldRow, type SchemaNode } from './reference-fields.js'
import { REFERENCE_CSS } from './reference-style.js'
import { HTTP_STATUS } from './status.js'

interface Parameter {
  name: string
  in: string
  required?: boolean
  description?: string
  example?: unknown
  schema?: SchemaNode
}
interface Operation {
  summary: string
  description?: string
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { schema: SchemaNode }> }
  responses: Record<string, { description: string; content?: Record<string, { schema: SchemaNode }> }>
}
/** The parts of the OpenAPI document (lib/http/openapi.ts) the page shows. */
export interface ReferenceDoc {
  info: { title: string; description: string }
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown> }
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Descriptions as HTML: escaped, with Markdown-style `code` spans as <code>. */
const prose = (s: string) => raw(escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>'))

const anchor = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-')

function fieldTable(rows: FieldRow[]): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (!rows.length) return html``
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>
          <th>field</th>
          <th>type</th>
          <th>meaning</th>
          <th>example</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              <td><code>${r.name}</code>${r.required ? html` <span class="req">required</span>` : ''}</td>
              <td><code>${r.type}</code></td>
              <td>${prose(r.description)}</td>
              <td>${r.example ? html`<code>${r.example}</code>` : ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`
}

function operation(path: string, method: string, op: Operation, roots: SchemaNode[]) {
  const params: FieldRow[] = (op.parameters ?? []).map((p) => ({
    name: `${p.name} (${p.in})`,
    type: p.schema ? typeOf(p.schema, roots) : 'string',
    required: p.required ?? false,
    description: p.description ?? '',
    example: p.example === undefined ? '' : JSON.stringify(p.example),
  }))
  const body = op.requestBody && Object.values(op.requestBody.content)[0]?.schema
  const id = anchor(`${method} ${path}`)
  return html`<section id="${id}">
    <h3><span class="m ${method}">${method}</span> <code>${path}</code></h3>
    <p><strong>${op.summary}.</strong> ${prose(op.description ?? '')}</p>
    ${params.length
      ? html`<h4>Parameters</h4>
          ${fieldTable(params)}`
      : ''}
    ${body
      ? html`<h4>Request body</h4>
          ${fieldTable(fieldRows(body, roots))}`
      : ''}
    <h4>Responses</h4>
    <ul>
      ${Object.entries(op.responses).map(([status, r]) => {
        const ref = Object.values(r.content ?? {})[0]
          ?.schema?.$ref?.split('/')
          .pop()
        return html`<li><code>${status}</code> ${prose(r.description)}${ref ? html` (<a href="#schema-${anchor(ref)}">${ref}</a>)` : ''}</li>`
      })}
    </ul>
  </section>`
}

const GUIDE = html`<section id="authentication">
    <h2>Authentication and scopes</h2>
    <p>
      Every <code>/v1</code> route needs <code>Authorization: Bearer &lt;key&gt;</code>. Keys are configured as SHA-256 hashes (<code>npx postern hash-key</code
      >).
    </p>
    <div class="scroll">
      <table>
        <tr>
          <th>scope</th>
          <th>allows</th>
        </tr>
        <tr>
          <td><code>send</code></td>
          <td>send, and read and cancel the key's own messages</td>
        </tr>
        <tr>
          <td><code>read</code></td>
          <td>read everything: messages of every key, inbound mail, webhook deliveries, mailboxes, suppressions, events</td>
        </tr>
        <tr>
          <td><code>admin</code></td>
          <td><code>read</code>, plus retry, replay, endpoint enable, suppression changes and cancel of any message</td>
        </tr>
      </table>
    </div>
    <p>
      A key without <code>scopes</code> keeps its old rights: it sends, and without <code>allowedFrom</code> it also reads and administers. A missing scope
      answers 403 <code>insufficient_scope</code>.
    </p>
  </section>
  <section id="idempotency">
    <h2>Idempotency</h2>
    <p>
      Send with <code>Idempotency-Key: &lt;1 to 256 printable ASCII characters&gt;</code>. A retry with the same key and body within 24 h answers the first
      response with <code>Idempotent-Replayed: true</code> and sends nothing again; the same key with another body is 409 <code>idempotency_key_reused</code>;
      while the first request is still running, 409 <code>idempotency_key_in_use</code>. Only successful answers are kept, so a corrected retry of a refused
      request goes through.
    </p>
  </section>
  <section id="rate-limits">
    <h2>Rate limits</h2>
    <p>
      Per API key, in fixed windows (config <code>rateLimit</code>, or the key's own). Every answer carries the IETF headers <code>RateLimit-Policy</code> (e.g.
      <code>600;w=60</code>) and <code>RateLimit</code> (<code>limit=600, remaining=599, reset=42</code>, reset in seconds). Over the limit: 429
      <code>rate_limited</code> with <code>Retry-After</code> in seconds. On AWS each warm Lambda instance counts on its own.
    </p>
  </section>`

function errorsSection() {
  return html`<section id="errors">
    <h2>Errors</h2>
    <p>Every error has one shape; <code>issues</code> lists each bad field with its path, so a client can point at it:</p>
    <pre>
{ "error": { "code": "validation_failed", "message": "the request has invalid fields",
    "issues": [{ "path": ["to", 1], "code": "invalid_address", "message": "..." }] } }</pre
    >
    <div class="scroll">
      <table>
        <tr>
          <th>code</th>
          <th>HTTP</th>
          <th>meaning</th>
        </tr>
        ${ERROR_CODES.map(
          (code) =>
            html`<tr>
              <td><code>${code}</code></td>
              <td>${HTTP_STATUS[code]}</td>
              <td>${prose(ERROR_MEANINGS[code])}</td>
            </tr>`,
        )}
      </table>
    </div>
  </section>`
}

function eventsSection() {
  return html`<section id="events">
    <h2>Webhook event payloads</h2>
    <p>
      Signed per Standard Webhooks: headers <code>webhook-id</code> (the same on every retry), <code>webhook-timestamp</code> and
      <code>webhook-signature</code> (<code>v1,</code> + base64 HMAC-SHA256 of <code>id.timestamp.body</code> with the endpoint secret). The body is
      <code>{ type, timestamp, data }</code>.
    </p>
    ${Object.entries(EVENT_SCHEMAS).map(([type, schema]) => {
      const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as SchemaNode
      return html`<section id="event-${anchor(type)}">
        <h3><code>${type}</code></h3>
        <p>${prose(json.description ?? '')}</p>
        ${fieldTable(fieldRows(json, [json]))}
      </section>`
    })}
  </section>`
}

/**
 * The API reference served at `/docs`, rendered on the server from the OpenAPI document: every route with its
 * parameters and request fields (description and example from the zod `.meta()`), authentication and scopes,
 * idempotency, rate-limit headers, every error code, the webhook payloads. Self-contained: inline CSS, no script, no
 * external asset (it works offline), readable at 375 px.
 */
export function referencePage(doc: ReferenceDoc) {
  const roots = [doc as unknown as SchemaNode]
  const ops = Object.entries(doc.paths)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${doc.info.title} API reference</title>
        <style>
          ${raw(REFERENCE_CSS)}
        </style>
      </head>
      <body>
        <header>
          <h1>${doc.info.title} API reference</h1>
          <p>${prose(doc.info.description)}</p>
          <p>
            Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Apps using the Resend SDK can use the Resend-compatible routes
            (<code>/emails</code>).
          </p>
        </header>
        <nav>
          <strong>Guide</strong>
          <a href="#authentication">Authentication</a> · <a href="#idempotency">Idempotency</a> · <a href="#rate-limits">Rate limits</a> ·
          <a href="#errors">Errors</a> · <a href="#events">Webhook events</a> · <a href="#schemas">Schemas</a>
          <strong>Routes</strong>
          <ul>
            ${ops.map(
              ({ path, method, op }) =>
                html`<li>
                  <a href="#${anchor(`${method} ${path}`)}"><span class="m ${method}">${method}</span> ${path}</a> ${op.summary}
                </li>`,
            )}
          </ul>
        </nav>
        <main>
          ${GUIDE} ${errorsSection()}
          <section id="routes">
            <h2>Routes</h2>
            ${ops.map(({ path, method, op }) => operation(path, method, op, roots))}
          </section>
          ${eventsSection()}
          <section id="schemas">
            <h2>Schemas</h2>
            ${Object.entries(doc.components.schemas).map(
              ([name, schema]) =>
                html`<section id="schema-${anchor(name)}">
                  <h3>${name}</h3>
                  <p>${prose((schema as SchemaNode).description ?? '')}</p>
                  ${fieldTable(fieldRows(schema as SchemaNode, [...roots, schema as SchemaNode]))}
                </section>`,
            )}
          </section>
        </main>
      </body>
    </html>`
}
