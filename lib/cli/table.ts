/** One column of a table: its heading and how to show a row's value in it. */
export interface Column<T> {
  title: string
  value(row: T): unknown
  /** Longer values are cut with `…`; default 40 characters. */
  max?: number
}

/** A value as one line of text: null as `-`, arrays joined with `, `, addresses by their address, newlines as spaces. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-'
  if (Array.isArray(v)) return v.length ? v.map(cellText).join(', ') : '-'
  if (typeof v === 'object') return 'address' in v ? String((v as { address: unknown }).address) : JSON.stringify(v)
  return String(v).replace(/[\r\n\t]+/g, ' ')
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s)

/** Rows as an aligned text table with a header line; columns two spaces apart, no trailing spaces. */
export function formatTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = [columns.map((c) => c.title.toUpperCase()), ...rows.map((r) => columns.map((c) => cut(cellText(c.value(r)), c.max ?? 40)))]
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
