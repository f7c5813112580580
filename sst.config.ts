/// <reference path="./.sst/platform/config.d.ts" />
// Postern on AWS: the same lib/ code as `npm start`, behind Lambda (docs/deploy.md). One file per concern in
// stacks/, imported explicitly. Checked without AWS or internet by .ci/check-sst.sh.

export default $config({
  app(input) {
    // Production keeps its bucket (all stored mail) even after `sst remove`, and refuses accidental removal.
    const production = input?.stage === 'prod' || input?.stage === 'production'
    return {
      name: 'postern',
      home: 'aws',
      removal: production ? 'retain' : 'remove',
      protect: production,
    }
  },
  async run() {
    const { readStageConfig } = await import('./stacks/stage-config.js')
    const { createStorage } = await import('./stacks/storage.js')
    const { createSecrets } = await import('./stacks/secrets.js')
    const { functionDefaults } = await import('./stacks/function-defaults.js')
    const { createApi } = await import('./stacks/api.js')
    const { createDelivery } = await import('./stacks/delivery.js')
    const { createInbound } = await import('./stacks/inbound.js')

    const config = readStageConfig($app.stage)
    const { bucket } = createStorage()
    const secrets = createSecrets(config)
    const defaults = functionDefaults(bucket, secrets, config)
    const { api } = createApi(defaults)
    createDelivery(bucket, defaults)
    const inbound = createInbound(defaults, config)

    return {
      api: api.url,
      bucket: bucket.name,
      config: config.file ?? 'none (no postern.config.<stage>.json)',
      polledMailboxes: inbound.polls.length,
    }
  },
})
