/** The reference page's stylesheet, inline (no external asset); readable at 375 px, tables scroll sideways. */
export const REFERENCE_CSS = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 64rem; margin: 0 auto; padding: 1rem; color: #1b1f24; }
code, pre { font: 13px ui-monospace, monospace; background: #f3f4f6; border-radius: 4px; padding: 0 .2rem; }
pre { padding: .75rem; overflow: auto; }
h2 { border-bottom: 2px solid #d0d7de; margin-top: 2.5rem; }
h3 { margin-top: 1.75rem; word-break: break-word; }
section section { border-top: 1px solid #e5e7eb; }
nav ul { list-style: none; padding-left: 0; columns: 2 20rem; }
nav strong { display: block; margin-top: .75rem; }
.m { display: inline-block; min-width: 3.5rem; font: 700 12px ui-monospace, monospace; text-transform: uppercase; color: #fff; background: #57606a; border-radius: 4px; padding: .1rem .3rem; text-align: center; }
.m.get { background: #0969da; } .m.post { background: #1a7f37; } .m.delete { background: #cf222e; } .m.put, .m.patch { background: #9a6700; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #e5e7eb; padding: .3rem .5rem; }
td:first-child { white-space: nowrap; }
.req { color: #cf222e; font-size: 12px; }
@media (max-width: 600px) { body { padding: .5rem; font-size: 14px; } td:first-child { white-space: normal; } }
`
