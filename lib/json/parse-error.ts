/**
 * JSON.parse's error message without the excerpt of the text V8 quotes (`Unexpected token 'N', ..."r2", "x": NaN}"
 * is not valid JSON`): it would copy part of a request, or a secret of a config file, into an answer or a log.
 */
export function jsonParseProblem(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/, (?:\.\.\.)?"[\s\S]* is not valid JSON$/, '')
}
