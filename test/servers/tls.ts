import { selfSignedLocalhost, type TlsMaterial } from '../../lib/tls/self-signed.js'

let shared: Promise<TlsMaterial> | undefined

/** One self-signed localhost certificate per test worker (generation takes ~250 ms). */
export const testTls = () => (shared ??= selfSignedLocalhost())
