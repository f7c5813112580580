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
    const { createStage } = await import('./stacks/app.js')
    return createStage($app.stage)
  },
})
