import type { ObjectStore } from '../store/object-store.js'
import { parseInboundObjectKey } from '../store/keys.js'
import type { UrlSigner } from '../signed-url.js'

/** The gateway route that serves an inbound object (lib/http/routes/inbound.ts); null for any other key. */
export function gatewayPathFor(key: string): string | null {
  const o = parseInboundObjectKey(key)
  if (!o) return null
  const base = `/v1/inbound/${encodeURIComponent(o.id)}`
  const path = o.object === 'doc' ? base : o.object === 'raw' ? `${base}/raw` : `${base}/attachments/${encodeURIComponent(o.object.attachmentId)}`
  return `${path}?mailbox=${encodeURIComponent(o.mailbox)}`
}

/**
 * The store with `urlFor` answering signed gateway URLs for inbound messages, their documents and attachments
 * (what webhook payloads link to), so a consumer on another machine reads them over HTTP, where the fs and sqlite
 * drivers could only give `file://` paths. Other keys keep the driver's URL. Everything else is the store itself.
 */
export function withGatewayUrls(store: ObjectStore, signer: UrlSigner): ObjectStore {
  const urlFor = async (key: string, expiresInS: number) => {
    const path = gatewayPathFor(key)
    return path ? signer.sign(path, expiresInS) : store.urlFor(key, expiresInS)
  }
  return new Proxy(store, { get: (target, prop, receiver) => (prop === 'urlFor' ? urlFor : Reflect.get(target, prop, receiver)) })
}
