import { expect, test } from 'vitest'
import { HTML_TO_TEXT_MAX_CHARS, textFromHtml } from '../../lib/normalize/html-text.js'

test('inline images (cid:, data:) are named by alt text, else by the file with that Content-ID, else left out', () => {
  const html =
    '<p>Logo: <img src="cid:logo@x"> chart: <img src="cid:c1" alt="Q3 chart"> pixel:<img src="cid:unknown"> <img src="data:image/png;base64,iVBOR"></p>'
  expect(textFromHtml(html, new Map([['logo@x', 'logo.png']]))).toBe('Logo: [image: logo.png] chart: [image: Q3 chart] pixel:')
})

test('remote images keep html-to-text form: alt [src]', () => {
  expect(textFromHtml('<img src="https://example.com/a.png" alt="A"> <img src="https://example.com/b.png">')).toBe(
    'A [https://example.com/a.png] [https://example.com/b.png]',
  )
})

test(`only the first ${HTML_TO_TEXT_MAX_CHARS} characters are converted`, () => {
  const text = textFromHtml(`<p>${'a'.repeat(HTML_TO_TEXT_MAX_CHARS)}</p><p>tail</p>`)
  expect(text).not.toContain('tail')
  expect(text.length).toBe(HTML_TO_TEXT_MAX_CHARS - 3)
})
