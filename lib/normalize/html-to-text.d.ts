// html-to-text 10 ships no types; this is the one function normalize uses.
declare module 'html-to-text' {
  export function htmlToText(html: string, options?: Record<string, unknown>): string
}
