import type { ObjectStore } from '../../lib/store/object-store.js'

/** A store that counts its requests by S3 operation (GET, PUT, LIST, DELETE), for the requests-per-message figures. */
export function countingStore(store: ObjectStore) {
  const n = { GET: 0, PUT: 0, LIST: 0, DELETE: 0 }
  const wrapped: ObjectStore = {
    get: (k) => (n.GET++, store.get(k)),
    put: (k, b, o) => (n.PUT++, store.put(k, b, o)),
    putStream: (k, b, o) => (n.PUT++, store.putStream(k, b, o)),
    list: (p, o) => (n.LIST++, store.list(p, o)),
    listEntries: (p, o) => (n.LIST++, store.listEntries(p, o)),
    delete: (k) => (n.DELETE++, store.delete(k)),
    urlFor: (k, s) => store.urlFor(k, s),
  }
  return { store: wrapped, n }
}
