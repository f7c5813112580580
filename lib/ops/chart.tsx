/** The series of the overview chart, in stacking order, with their colours. */
export const SERIES = [
  ['sent', '#2f9e58'],
  ['deferred', '#d9a400'],
  ['failed', '#d64545'],
  ['bounced', '#8d1b1b'],
  ['received', '#2f6fd6'],
] as const

export type SeriesName = (typeof SERIES)[number][0]

/** One hour of the chart: its start (ISO 8601, on the hour) and a count per series. */
export type HourCounts = { hour: string } & Record<SeriesName, number>

const W = 720
const H = 220
const PAD = { left: 36, right: 8, top: 10, bottom: 24 }

/**
 * A grouped bar chart of counts per hour, as inline SVG (no script, no external asset; it scales to the width).
 * Each hour is a group of one bar per series; the y axis runs from 0 to the largest count.
 */
export function HourlyChart(p: { hours: HourCounts[] }) {
  const max = Math.max(1, ...p.hours.flatMap((h) => SERIES.map(([s]) => h[s])))
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const group = plotW / Math.max(1, p.hours.length)
  const bar = Math.max(1, (group * 0.8) / SERIES.length)
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Messages per hour" id="hourly-chart">
        <line x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} stroke="#999" />
        <text x={PAD.left - 4} y={y(max) + 4} text-anchor="end" font-size="11" fill="#555">
          {max}
        </text>
        <text x={PAD.left - 4} y={y(0) + 4} text-anchor="end" font-size="11" fill="#555">
          0
        </text>
        {p.hours.map((h, i) => (
          <g data-hour={h.hour}>
            {SERIES.map(([s, colour], j) =>
              h[s] > 0 ? (
                <rect
                  x={PAD.left + i * group + group * 0.1 + j * bar}
                  y={y(h[s])}
                  width={bar}
                  height={y(0) - y(h[s])}
                  fill={colour}
                  data-series={s}
                  data-count={h[s]}
                >
                  <title>{`${h.hour.slice(11, 16)} ${s}: ${h[s]}`}</title>
                </rect>
              ) : null,
            )}
            {i % Math.ceil(p.hours.length / 12) === 0 && (
              <text x={PAD.left + i * group + group / 2} y={H - 8} text-anchor="middle" font-size="11" fill="#555">
                {h.hour.slice(11, 13)}h
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        {SERIES.map(([s, colour]) => (
          <span>
            <svg width="12" height="12" class="sw" aria-hidden="true">
              <rect width="12" height="12" fill={colour} />
            </svg>
            {s}
          </span>
        ))}
      </figcaption>
    </figure>
  )
}
