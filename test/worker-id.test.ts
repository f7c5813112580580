import { expect, test } from 'vitest'
import { newWorkerId, workerIsGone } from '../lib/worker-id.js'
import { deadPid } from './harness.js'

test('an owner on this machine whose process has exited is gone', async () => {
  const owner = newWorkerId('worker', await deadPid())
  expect(owner).toMatch(/^worker-[0-9a-f-]{36}@[0-9a-f-]{36}~pid:\[\d+\]\/\d+\.[0-9a-f]{12}$/)
  expect(workerIsGone(owner)).toBe(true)
})

test('owners still running are not: this process, its parent', () => {
  expect(workerIsGone(newWorkerId('worker'))).toBe(false)
  expect(workerIsGone(newWorkerId('worker', process.ppid))).toBe(false)
})

test('an id with this pid from an earlier process (another process token) is gone', () => {
  expect(workerIsGone(newWorkerId('worker', process.pid, '0123456789ab'))).toBe(true)
})

test('owners from elsewhere, or in the older format, are presumed alive', () => {
  expect(workerIsGone('worker-0b6c8d0e-5b1a-4c51-9a5e-2f0f1f7f2a11')).toBe(false)
  expect(workerIsGone('01KB0000000000000000000000')).toBe(false)
  expect(workerIsGone(`worker-x@another-machine~pid:[1]/12345.0123456789ab`)).toBe(false)
})
