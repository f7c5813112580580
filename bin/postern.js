#!/usr/bin/env node
// `npx postern ...`: the bundled CLI (dist/cli.js), built first when a source is newer than it (scripts/build.mjs).
import { pathToFileURL } from 'node:url'
import { ensureBuilt } from '../scripts/build.mjs'

await import(pathToFileURL(await ensureBuilt('cli')).href)
