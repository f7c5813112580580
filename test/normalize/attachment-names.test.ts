import { expect, test } from 'vitest'
import { SAFE_FILENAME_MAX_BYTES, safeFilename } from '../../lib/normalize/attachment-names.js'

test.each([
  ['../../etc/cron.d/job', 'etc_cron.d_job'],
  ['..\\..\\evil.bat', 'evil.bat'],
  ['1234/../../1234.txt', '1234_._._1234.txt'],
  ['attach/01', 'attach_01'],
  ['a\r\nb.txt', 'a__b.txt'],
  ['Kontoutskrift for 1506.14.90466\nBedriftskonto.pdf', 'Kontoutskrift for 1506.14.90466_Bedriftskonto.pdf'],
  ['.htaccess', 'htaccess'],
  ['\u202egnp.exe', 'gnp.exe'],
  ['nyan cat ✔.gif', 'nyan cat ✔.gif'],
  ['ciële.txt', 'ciële.txt'],
  ['report?.pdf', 'report_.pdf'],
  ['trailing dots...', 'trailing dots'],
])('%j -> %j', (name, safe) => {
  expect(safeFilename(name, 1, 'application/octet-stream')).toBe(safe)
})

test('no usable name: attachment-<n> with the extension of the content type', () => {
  expect(safeFilename(null, 2, 'image/png')).toBe('attachment-2.png')
  expect(safeFilename('..', 3, 'message/rfc822')).toBe('attachment-3.eml')
  expect(safeFilename('///', 4, 'application-x-gzip')).toBe('attachment-4.bin')
})

test('long names are cut to the byte limit on a character boundary, keeping the extension', () => {
  const safe = safeFilename('日本'.repeat(100) + '.txt', 1, 'text/plain')
  expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(SAFE_FILENAME_MAX_BYTES)
  expect(safe).toMatch(/^(日本)+日?\.txt$/)
})

test('whatever the input, the result has no separator, no .., no control character and is not empty', () => {
  const nasty = ['..', '.', '/', '\\', '\0', '../..\\..', 'a/../../b', '\u0085x', 'x\u2028y', ' ', '%2e%2e%2f', 'C:\\Windows\\x']
  for (const name of nasty) {
    const safe = safeFilename(name, 1, 'text/plain')
    expect(safe).not.toMatch(/[/\\\x00-\x1f\x7f-\x9f\u2028\u2029]|\.\./)
    expect(safe.length).toBeGreaterThan(0)
  }
})
