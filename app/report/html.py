"""The annual review as one self-contained HTML file.

Inline CSS (screen and print), charts as inline SVG rendered offline, no script and no reference to any other
file or address, so it can be e-mailed, archived or opened without a network. Every piece of text from the
warehouse or the commentary store is escaped: an indicator name or a comment holding markup shows as text.
"""

from __future__ import annotations

from html import escape

from app.report import charts
from app.report.document import Block, Bullets, Chart, Document, Paragraph, Section, Subheading, Table

CSS = """
:root { --ink: #0b0c0c; --muted: #505a5f; --rule: #b1b4b6; --band: #f3f2f1; --accent: #1d70b8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.5 Helvetica, Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 1rem; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 0.75rem; padding-top: 0.5rem; border-top: 3px solid var(--accent); }
h3 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; }
p { margin: 0 0 0.85rem; }
p.note { color: var(--muted); font-size: 0.9rem; }
p.lead { font-weight: bold; }
ul { margin: 0 0 1rem; padding-left: 1.4rem; }
li { margin-bottom: 0.35rem; }
.notice { border-left: 6px solid #f47738; background: #fef4ec; padding: 0.6rem 0.9rem; font-weight: bold;
          margin-bottom: 1.25rem; }
table { border-collapse: collapse; width: 100%; margin: 0.25rem 0 1.25rem; font-size: 0.88rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.35rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--rule); }
thead th { background: var(--band); border-bottom: 2px solid var(--ink); }
table.narrow { width: auto; min-width: 24rem; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.cover { font-size: 1rem; margin-bottom: 1.5rem; }
table.cover th { width: 11rem; background: none; border-bottom: 1px solid var(--rule); }
figure { margin: 0.5rem 0 1.25rem; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.9rem; }
.contents ul { list-style: none; padding-left: 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--rule);
         padding-top: 0.75rem; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-before: auto; break-after: avoid; }
  h3 { break-after: avoid; }
  table, figure { break-inside: auto; }
  tr, figure svg { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


def _text(value: object) -> str:
    return escape(str(value), quote=True)


_NUM = ' class="num"'


def _table(t: Table) -> str:
    numeric = set(t.numeric)
    narrow = sum(t.widths) < 13 if len(t.widths) == len(t.columns) else len(t.columns) <= 2
    out = ['<table class="narrow">' if narrow else "<table>"]
    if t.caption:
        out.append(f"<caption>{_text(t.caption)}</caption>")
    head = "".join(f'<th scope="col"{_NUM if i in numeric else ""}>{_text(c)}</th>' for i, c in enumerate(t.columns))
    out.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for row in t.rows:
        cells = "".join(f"<td{_NUM if i in numeric else ''}>{_text(c)}</td>" for i, c in enumerate(row))
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _chart(c: Chart) -> str:
    svg = charts.inline_svg(charts.to_svg(c.chart), label=c.description)
    return f"<figure>{svg}<figcaption>{_text(c.title)}. {_text(c.description)}</figcaption></figure>"


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        css = f' class="{block.style}"' if block.style != "body" else ""
        return f"<p{css}>{_text(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_text(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Subheading):
        return f"<h3>{_text(block.text)}</h3>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return _chart(block)
    raise TypeError(f"unknown block {type(block).__name__}")  # pragma: no cover


def _section(section: Section) -> str:
    body = "".join(_block(b) for b in section.blocks)
    return f'<section id="{_text(section.anchor)}"><h2>{_text(section.heading)}</h2>{body}</section>'


def render_html(doc: Document) -> str:
    cover = "".join(f'<tr><th scope="row">{_text(k)}</th><td>{_text(v)}</td></tr>' for k, v in doc.cover)
    notices = "".join(f'<p class="notice">{_text(n)}</p>' for n in doc.notices)
    contents = "".join(f'<li><a href="#{_text(s.anchor)}">{_text(s.heading)}</a></li>' for s in doc.sections)
    built = f"; warehouse build {doc.build_id}" if doc.build_id else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="author" content="{_text(doc.author)}">',
        f'<meta name="description" content="{_text(doc.subject)}">',
        f"<title>{_text(doc.title)}: {_text(doc.la_name)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        notices,
        f"<h1>{_text(doc.title)}</h1>",
        f'<table class="cover"><tbody>{cover}</tbody></table>',
        f'<p class="lead">RECOMMENDATION: {_text(doc.recommendation)}</p>',
        f'<nav class="contents" aria-label="Contents"><h3>Contents</h3><ul>{contents}</ul></nav>',
        *(_section(s) for s in doc.sections),
        f"<footer>{_text(doc.la_name)} ({_text(doc.la_code)}), {_text(doc.title)}. Prepared "
        f"{_text(doc.generated_on.isoformat())}{_text(built)}.</footer>",
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def render_html_bytes(doc: Document) -> bytes:
    return render_html(doc).encode("utf-8")
