import { join } from 'node:path'

/**
 * The shared real-world mail corpus (`.eml` files and MANIFEST.tsv), read in place: `../shared/corpus` beside the
 * checkout, as CI lays it out, or wherever POSTERN_CORPUS points.
 */
export const CORPUS = process.env.POSTERN_CORPUS ?? join(import.meta.dirname, '../../shared/corpus')
