/** Attachment bytes: not text, not valid UTF-8. */
export const PDF = Buffer.from('%PDF-1.4 not really\n\u0000\u00ff binary', 'latin1')

/** A received message with CRLF line ends; `n` makes the bytes (and so the id) unique; `attach` a PDF's file name. */
export function mail(n: number, o: { from: string; to: string; cc?: string; subject: string; attach?: string }) {
  const head = [`From: ${o.from}`, `To: ${o.to}`, ...(o.cc ? [`Cc: ${o.cc}`] : []), `Subject: ${o.subject}`, `Message-ID: <in-${n}@example.net>`]
  if (!o.attach) return Buffer.from([...head, '', `body ${n}`, ''].join('\r\n'))
  return Buffer.from(
    [
      ...head,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `body ${n}`,
      '--b1',
      'Content-Type: application/pdf',
      `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(o.attach)}`,
      'Content-Transfer-Encoding: base64',
      '',
      PDF.toString('base64'),
      '--b1--',
      '',
    ].join('\r\n'),
    'latin1',
  )
}
