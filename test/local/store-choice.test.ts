import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, onTestFinished, test } from 'vitest'
import { ConfigError, loadConfig } from '../../lib/config/load.js'
import { startLocal } from '../../lib/local/start-local.js'
import { createFsStore } from '../../lib/store/fs-store.js'

async function fsDataFolder() {
  const dir = await mkdtemp(join(tmpdir(), 'postern-choice-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  const fs = createFsStore(dir)
  await fs.put('local/api-key.txt', 'pk_local_from_before\n')
  await fs.put('messages/01JABC/request.json', '{}')
  return dir
}

test('npm start refuses a data folder the fs driver filled, saying how to migrate or keep fs, and leaves it as it was', async () => {
  const dir = await fsDataFolder()
  const config = loadConfig({ PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }, dir)
  const err = await startLocal({ ...config, sandbox: { port: 0 } }).catch((e) => e)
  expect(err).toBeInstanceOf(ConfigError)
  expect(err.issues).toEqual([
    {
      path: ['store', 'dir'],
      message: `${dir} holds data of the fs store driver (messages/01JABC/request.json, ...) and the sqlite store there is empty: copy it over with \`npx postern migrate --from fs\`, or keep the fs driver (POSTERN_STORE=fs npm start)`,
    },
  ])
  expect(await readFile(join(dir, 'messages', '01JABC', 'request.json'), 'utf8')).toBe('{}')
})

test('POSTERN_STORE=fs starts on that folder and finds its key; a folder with only local files starts on sqlite', async () => {
  const dir = await fsDataFolder()
  const fsConfig = loadConfig({ PORT: '0', POSTERN_STORE: 'fs', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }, dir)
  const gw = await startLocal({ ...fsConfig, sandbox: { port: 0 } })
  expect(gw.generatedApiKey).toBe('pk_local_from_before')
  expect(await gw.deps.store.list('messages/')).toEqual(['messages/01JABC/request.json'])
  await gw.close()

  await rm(join(dir, 'messages'), { recursive: true })
  const config = loadConfig({ PORT: '0', POSTERN_DATA_DIR: dir, POSTERN_LOG_LEVEL: 'silent' }, dir)
  const sqlite = await startLocal({ ...config, sandbox: { port: 0 } })
  onTestFinished(() => sqlite.close())
  expect(sqlite.deps.config.store.driver).toBe('sqlite')
  expect(sqlite.generatedApiKey).toBe('pk_local_from_before')
})
