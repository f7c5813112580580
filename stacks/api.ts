// The HTTP API (functions/http.ts, a Hono app) behind a Lambda function URL: no API Gateway to pay for or
// configure, and requests are authenticated by Postern's own API keys, so the URL itself is public.
import type { FunctionDefaults } from './function-defaults.js'

export function createApi(defaults: FunctionDefaults) {
  const api = new sst.aws.Function('Http', {
    ...defaults,
    handler: 'functions/http.handler',
    url: true,
    timeout: '30 seconds',
    memory: '1024 MB',
  })
  return { api }
}
