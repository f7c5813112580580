// `npm start`: the bundled gateway (dist/local.js), built first when a source is newer than it (scripts/build.mjs).
import { pathToFileURL } from 'node:url'
import { ensureBuilt } from './build.mjs'

await import(pathToFileURL(await ensureBuilt('local')).href)
