import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CORPUS } from './corpus.js'

/** Checks what the whole run needs before any suite starts; returns the teardown. */
export default async function setup() {
  if (!existsSync(join(CORPUS, 'MANIFEST.tsv'))) {
    throw new Error(
      `the shared mail corpus is not at ${CORPUS}: put the shared/ folder beside the checkout (as CI does) or set POSTERN_CORPUS to the corpus folder`,
    )
  }
  return async () => {}
}
