import { generate } from 'selfsigned'

/** A PEM key and certificate pair. */
export interface TlsMaterial {
  key: string
  cert: string
}

/**
 * A self-signed certificate for `localhost` and 127.0.0.1 (RSA 2048, SHA-256, 10 years), for the local sandbox
 * SMTP server and test servers. Clients trust it by passing `cert` as their CA.
 */
export async function selfSignedLocalhost(): Promise<TlsMaterial> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 3650 * 24 * 3600 * 1000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  })
  return { key: pems.private, cert: pems.cert }
}
