"""``tinygrad-edu lessons site OUT/``: the course as a static HTML site.

The lessons are executed as notebooks (:mod:`tinygrad_edu.course.notebooks`) and each
becomes one page: its prose (markdown, formulas written in Unicode), its code, the
outputs, the figures inline, and the lesson's reproduction table (the seed's claim, the
engine's value, the verdict; corrections highlighted). An index lists the lessons in
order with the worked examples each covers and its counts of agreements and
corrections; the errata page is ``lessons/ERRATA.md`` (``ERRATA.zh.md`` in the Chinese
edition). Each edition lives in its own folder (``OUT/en/``, ``OUT/zh/``); every page
of a two-edition site has a switch to the same page in the other language.

The site needs no network and no script: one stylesheet, PNG files, plain links. It
opens from the file system, and the layout narrows to a phone's width. Each edition also
keeps its executed notebooks (``notebooks/``) and the JSON report of its rows
(``report.json``, the format of ``lessons run --json``).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import notebooks
from .lesson_runner import sort_rows
from .lessons import LANGS, Row, _fmt, word
from .paths import lessons_dir

SITE_NAME = {"en": "tinygrad_edu — the course", "zh": "tinygrad_edu 课程"}
LANG_NAME = {"en": "English", "zh": "中文"}
HTML_LANG = {"en": "en", "zh": "zh-Hans"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "lessons": "Lessons", "errata": "Errata", "index": "Contents", "prev": "previous",
        "next": "next", "lesson": "lesson", "examples": "worked examples",
        "agreements": "agreements", "corrections": "corrections", "rows": "rows",
        "table": "Reproduction table", "notebook": "notebook (.ipynb)",
        "intro": "Every lesson recomputes worked examples of the course text (the Chinese "
                 "seed documents) with tinygrad_edu and shows the seed's claim beside the "
                 "engine's value. A correction is a claim of the seed that the engine's "
                 "value does not confirm; the note says why.",
        "total": "In all: {rows} rows, {agreements} agreements, {corrections} corrections.",
        "table_intro": "The rows this lesson recorded; corrections are highlighted.",
        "failed": "This lesson did not run to the end",
        "fallback": "",
        "errata_missing": "",
    },
    "zh": {
        "lessons": "课程", "errata": "勘误表", "index": "目录", "prev": "上一课",
        "next": "下一课", "lesson": "课", "examples": "例题", "agreements": "一致",
        "corrections": "更正", "rows": "行", "table": "复现对照表",
        "notebook": "笔记本 (.ipynb)",
        "intro": "每一课都用 tinygrad_edu 重新计算课程原文（中文种子文档）里的例题，把原文的"
                 "结论和引擎算出的值并排列出。“更正”表示引擎的计算结果不支持原文的结论，"
                 "说明一栏解释原因。",
        "total": "合计：{rows} 行，{agreements} 处一致，{corrections} 处更正。",
        "table_intro": "本课记录的各行；需要更正的行以高亮显示。",
        "failed": "本课没有运行到最后",
        "fallback": "（此段尚无中文译文，暂以英文显示。）",
        "errata_missing": "勘误表的中文版尚未完成，下面暂以英文原文显示。",
    },
}

CSS = """\
:root { --fg: #1d1d1f; --muted: #5f6368; --bg: #fff; --code: #f6f8fa; --line: #d0d7de;
        --bad: #fff0f0; --badline: #d1242f; --good: #1a7f37; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg);
       font: 16px/1.6 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
             "PingFang SC", "Microsoft YaHei", sans-serif; }
header.top { border-bottom: 1px solid var(--line); padding: .5rem 1rem; display: flex;
             flex-wrap: wrap; gap: .3rem 1rem; align-items: baseline; }
header.top .brand { font-weight: 600; margin-right: auto; }
nav a, header a { color: var(--accent); text-decoration: none; }
nav a:hover, header a:hover { text-decoration: underline; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; overflow-wrap: break-word; }
:not(pre) > code { overflow-wrap: anywhere; }
h1 { font-size: 1.7rem; line-height: 1.3; } h2 { font-size: 1.35rem; margin-top: 2rem; }
pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
            font-size: .88em; }
p code, li code, td code { background: var(--code); padding: 0 .2em; border-radius: 3px;
                           overflow-wrap: anywhere; }
pre { background: var(--code); padding: .7rem; overflow-x: auto; border-radius: 6px;
      line-height: 1.45; }
div.cell-code pre { border-left: 3px solid var(--accent); }
pre.output { background: #fff; border: 1px solid var(--line); }
pre.error { background: var(--bad); border: 1px solid var(--badline); }
figure { margin: 1rem 0; } img { max-width: 100%; height: auto; }
figure.wide { overflow-x: auto; } figure.wide img { max-width: none; }
.table-wrap { overflow-x: auto; }
.table-wrap > table { width: 100%; }
td { overflow-wrap: anywhere; } td:first-child { min-width: 3.5em; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; vertical-align: top;
         text-align: left; }
th { background: var(--code); }
table.repro td { overflow-wrap: anywhere; word-break: break-word; }
table.repro td.value { font-family: ui-monospace, Menlo, Consolas, monospace;
                       font-size: .85rem; }
tr.corrected td { background: var(--bad); }
tr.corrected td.verdict { color: var(--badline); font-weight: 700; }
tr.agrees td.verdict { color: var(--good); font-weight: 600; }
td.verdict, table.repro td:first-child { white-space: nowrap; }
.note { color: var(--muted); font-size: .9rem; }
.fallback { color: var(--muted); font-style: italic; }
.pager { display: flex; justify-content: space-between; gap: 1rem; margin: 2rem 0;
         flex-wrap: wrap; }
.failed { background: var(--bad); border: 1px solid var(--badline); padding: .5rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; } main { padding: .6rem; } h1 { font-size: 1.4rem; }
  table.repro, table.repro tbody, table.repro tr, table.repro td { display: block; }
  table.repro thead { display: none; }
  table.repro tr { border: 1px solid var(--line); margin-bottom: .6rem; }
  table.repro td { border: none; }
  table.repro td::before { content: attr(data-label) ": "; font-weight: 600; }
}
"""


# ------------------------------------------------------------------------ rendering
def _markdown() -> Any:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise notebooks.NotebookError(f"lessons site: needs markdown-it-py: {notebooks.HINT}") \
            from None
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return md


_SLUG_RE = re.compile(r"^(W\d{2})\b")


def _heading_ids(rendered: str) -> str:
    """Give the errata's example headings an anchor (``<h3 id="w06">``)."""
    def add(m: re.Match[str]) -> str:
        text = re.sub(r"<[^>]+>", "", m.group(3))
        hit = _SLUG_RE.match(text.strip())
        if not hit:
            return m.group(0)
        return f'<h{m.group(1)} id="{hit.group(1).lower()}"{m.group(2)}>{m.group(3)}'
    return re.sub(r"<h([1-6])([^>]*)>(.*?)(?=</h\1>)", add, rendered)


def _wrap_tables(rendered: str) -> str:
    """Markdown tables scroll sideways inside their own box on a narrow screen."""
    return rendered.replace("<table>", '<div class="table-wrap"><table>') \
        .replace("</table>", "</table></div>")


def _highlight(code: str) -> str:
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return f"<pre><code>{html.escape(code)}</code></pre>"
    return str(highlight(code, PythonLexer(), HtmlFormatter(nowrap=False, cssclass="hl")))


def _pygments_css() -> str:
    try:
        from pygments.formatters import HtmlFormatter
    except ImportError:
        return ""
    return str(HtmlFormatter(style="default").get_style_defs(".hl"))


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


@dataclass
class Page:
    name: str           # file stem: "01_training_loop", "index", "errata"
    title: str
    ids: list[str]
    rows: list[Row]
    error: str | None


def _value_html(v: Any) -> str:
    return html.escape(_fmt(v))


def _id_link(row_id: str) -> str:
    """A worked example's ID links to its errata entry; a capstone's (C01) has none."""
    if row_id.startswith("W"):
        return f'<a href="errata.html#{row_id.lower()}">{row_id}</a>'
    return html.escape(row_id)


def repro_table(rows: Sequence[Row], lang: str, lesson: str) -> str:
    """The lesson's rows as an HTML table (``data-*`` attributes let a test count them)."""
    heads = ("id", "quantity", "seed_claim", "computed", "verdict", "note")
    out = [f'<div class="table-wrap"><table class="repro" data-lesson="{lesson}" '
           f'data-rows="{len(rows)}"><thead><tr>'
           + "".join(f"<th>{html.escape(word(h, lang))}</th>" for h in heads)
           + "</tr></thead><tbody>"]
    for r in rows:
        cls = {"agrees": "agrees", "CORRECTED": "corrected", "shown": "shown"}[r.verdict]
        note = r.note_in(lang) or r.note
        label = {h: html.escape(word(h, lang)) for h in heads}
        out.append(
            f'<tr class="{cls}" data-id="{r.id}">'
            f'<td data-label="{label["id"]}">{_id_link(r.id)}</td>'
            f'<td data-label="{label["quantity"]}">{html.escape(r.quantity)}</td>'
            f'<td class="value" data-label="{label["seed_claim"]}">'
            f'{_value_html(r.seed_claim)}</td>'
            f'<td class="value" data-label="{label["computed"]}">{_value_html(r.computed)}</td>'
            f'<td class="verdict" data-label="{label["verdict"]}">'
            f'{html.escape(r.verdict_in(lang))}</td>'
            f'<td class="note" data-label="{label["note"]}">{html.escape(note)}</td></tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def _page(lang: str, title: str, body: str, switch: str | None, nav: str) -> str:
    other = [x for x in LANGS if x != lang]
    switch_html = ""
    if switch is not None and other:
        switch_html = (f'<a class="lang-switch" hreflang="{HTML_LANG[other[0]]}" '
                       f'href="../{other[0]}/{switch}">{LANG_NAME[other[0]]}</a>')
    return (
        f'<!DOCTYPE html>\n<html lang="{HTML_LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} · {html.escape(SITE_NAME[lang])}</title>\n"
        '<link rel="stylesheet" href="../style.css">\n</head>\n<body>\n'
        f'<header class="top"><a class="brand" href="index.html">{html.escape(SITE_NAME[lang])}'
        f"</a><nav>{nav}</nav>{switch_html}</header>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _nav(lang: str) -> str:
    t = TEXT[lang]
    return (f'<a href="index.html">{t["index"]}</a> · '
            f'<a href="errata.html">{t["errata"]}</a>')


def _title_of(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", _text(cell.source), re.MULTILINE)
            if m:
                return m.group(1).strip()
    return fallback


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (0, 0 when it is not a PNG)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return 0, 0
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _merged_streams(outputs: Sequence[Any]) -> list[Any]:
    """Consecutive stream outputs of one stream (a kernel sends stdout in chunks) as one."""
    merged: list[Any] = []
    for o in outputs:
        if (o.get("output_type") == "stream" and merged
                and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == o.get("name")):
            merged[-1] = {**merged[-1], "text": _text(merged[-1]["text"]) + _text(o["text"])}
        else:
            merged.append(o)
    return merged


def lesson_body(built: notebooks.Built, lang: str, figures: Path, md: Any) -> str:
    """The page of one lesson: its cells (prose, code, outputs, figures) and its table."""
    t = TEXT[lang]
    parts = []
    n_fig = 0
    for cell in built.notebook.cells:
        src = _text(cell.source)
        if cell.cell_type == "markdown":
            parts.append(f'<div class="cell-md">{_wrap_tables(md.render(src))}</div>')
            if cell.metadata.get("fallback"):
                parts.append(f'<p class="fallback">{t["fallback"]}</p>')
            continue
        if cell.cell_type != "code" or not src.strip():
            continue
        parts.append(f'<div class="cell-code">{_highlight(src)}</div>')
        for o in _merged_streams(cell.get("outputs", [])):
            kind = o.get("output_type")
            data = o.get("data", {})
            if kind == "stream":
                parts.append(f'<pre class="output">{html.escape(_text(o["text"]))}</pre>')
            elif kind == "error":
                tb = _ANSI_RE.sub("", "\n".join(o.get("traceback", [])))
                parts.append(f'<pre class="error">{html.escape(tb)}</pre>')
            elif "image/png" in data:
                n_fig += 1
                name = f"{built.name}-{n_fig}.png"
                png = base64.b64decode(_text(data["image/png"]))
                (figures / name).write_bytes(png)
                w, h = _png_size(png)
                # a very wide figure (a graph) keeps its size and scrolls sideways
                cls = ' class="wide"' if h and w / h > 4 else ""
                parts.append(f'<figure{cls}><img src="figures/{name}" width="{w}" '
                             f'height="{h}" alt="figure {n_fig} of {html.escape(built.name)}">'
                             "</figure>")
            elif "text/plain" in data:
                parts.append(f'<pre class="output">{html.escape(_text(data["text/plain"]))}'
                             "</pre>")
    if built.error:
        parts.append(f'<p class="failed">{t["failed"]}: {html.escape(built.error)}</p>')
    parts.append(f'<h2 id="table">{t["table"]}</h2><p>{t["table_intro"]}</p>')
    parts.append(repro_table(sort_rows(built.rows), lang, built.name))
    parts.append(f'<p><a href="notebooks/{built.name}.ipynb">{t["notebook"]}</a></p>')
    return "\n".join(parts)


def _counts(rows: Sequence[Row]) -> dict[str, int]:
    return {"rows": len(rows), "agreements": sum(r.agrees is True for r in rows),
            "corrections": sum(r.agrees is False for r in rows)}


def errata_source(folder: Path, lang: str) -> tuple[str, bool]:
    """The errata's markdown for ``lang`` and whether it is in that language."""
    own = folder / ("ERRATA.md" if lang == "en" else f"ERRATA.{lang}.md")
    if own.is_file():
        return own.read_text(encoding="utf-8"), True
    english = folder / "ERRATA.md"
    return (english.read_text(encoding="utf-8") if english.is_file() else "# ERRATA\n"), False


def build_edition(lessons: Sequence[Any], out: Path, lang: str, langs: Sequence[str],
                  folder: Path, progress: Any = None,
                  executed: Sequence[notebooks.Built] | None = None) -> list[notebooks.Built]:
    """One edition of the site in ``out/<lang>/``. ``executed``: the lessons already
    executed in another edition; their outputs are reused (:func:`notebooks.translate`)
    instead of running every lesson again."""
    md = _markdown()
    root = out / lang
    figures = root / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    if executed is None:
        built = notebooks.execute(lessons, root / "notebooks", lang=lang, progress=progress)
    else:
        built = [notebooks.translate(b, notebooks.edition(notebooks.read_notebook(les.path),
                                                          lang),
                                     lang, root / "notebooks" / f"{b.name}.ipynb")
                 for b, les in zip(executed, lessons, strict=True)]
    notebooks.write(built)
    switch = len(langs) > 1
    t = TEXT[lang]
    titles = [_title_of(b.notebook, b.title) for b in built]
    for i, b in enumerate(built):
        nav = _nav(lang)
        pager = ['<div class="pager">']
        if i > 0:
            pager.append(f'<a rel="prev" href="{built[i - 1].name}.html">← {t["prev"]}: '
                         f"{html.escape(titles[i - 1])}</a>")
        if i + 1 < len(built):
            pager.append(f'<a rel="next" href="{built[i + 1].name}.html">{t["next"]}: '
                         f"{html.escape(titles[i + 1])} →</a>")
        pager.append("</div>")
        body = lesson_body(b, lang, figures, md) + "\n" + "".join(pager)
        (root / f"{b.name}.html").write_text(
            _page(lang, titles[i], body, f"{b.name}.html" if switch else None, nav),
            encoding="utf-8")
    # the index
    all_rows = [r for b in built for r in b.rows]
    total = _counts(all_rows)
    items = [f"<h1>{html.escape(SITE_NAME[lang])}</h1>", f"<p>{t['intro']}</p>",
             f"<p>{t['total'].format(**total)}</p>",
             '<div class="table-wrap"><table class="lessons"><thead><tr>'
             f"<th>{t['lesson']}</th><th>{t['examples']}</th><th>{t['agreements']}</th>"
             f"<th>{t['corrections']}</th><th>{t['rows']}</th></tr></thead><tbody>"]
    for b, title in zip(built, titles, strict=True):
        c = _counts(b.rows)
        ids = ", ".join(_id_link(i) for i in b.ids)
        items.append(f'<tr data-lesson="{b.name}"><td><a href="{b.name}.html">'
                     f"{html.escape(title)}</a></td><td>{ids}</td><td>{c['agreements']}</td>"
                     f"<td>{c['corrections']}</td><td>{c['rows']}</td></tr>")
    items.append(f'</tbody></table></div><p><a href="errata.html">{t["errata"]}</a></p>')
    (root / "index.html").write_text(
        _page(lang, t["lessons"], "\n".join(items), "index.html" if switch else None,
              _nav(lang)), encoding="utf-8")
    # the errata
    text, own = errata_source(folder, lang)
    body = _wrap_tables(_heading_ids(md.render(text)))
    if not own and t["errata_missing"]:
        body = f'<p class="fallback">{t["errata_missing"]}</p>\n' + body
    (root / "errata.html").write_text(
        _page(lang, t["errata"], body, "errata.html" if switch else None, _nav(lang)),
        encoding="utf-8")
    report = [asdict(r) for r in sort_rows(all_rows)]  # in the order `lessons run` uses
    (root / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")
    return built


def build_site(out: Path, lessons: Sequence[Any] | None = None,
               langs: Sequence[str] = LANGS, folder: Path | None = None,
               progress: Any = None) -> dict[str, list[notebooks.Built]]:
    """Build the site in ``out``: one folder per edition, a shared stylesheet and a
    landing page (``out/index.html``) that links to each edition."""
    from . import lesson_runner

    folder = folder or lessons_dir()
    if lessons is None:
        lessons = lesson_runner.discover(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / "style.css").write_text(CSS + _pygments_css(), encoding="utf-8")
    # the lessons run once (the first edition); the other editions reuse the outputs
    editions: dict[str, list[notebooks.Built]] = {}
    for lang in langs:
        first = next(iter(editions.values()), None)
        editions[lang] = build_edition(lessons, out, lang, langs, folder, progress, first)
    links = "".join(f'<li><a href="{lang}/index.html" hreflang="{HTML_LANG[lang]}">'
                    f"{LANG_NAME[lang]} — {html.escape(SITE_NAME[lang])}</a></li>"
                    for lang in langs)
    (out / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>tinygrad_edu — the course</title>\n"
        '<link rel="stylesheet" href="style.css">\n</head>\n<body>\n<main>\n'
        f"<h1>tinygrad_edu</h1>\n<ul>{links}</ul>\n</main>\n</body>\n</html>\n",
        encoding="utf-8")
    return editions


def pages(out: Path) -> list[Path]:
    """Every HTML page of a built site."""
    return sorted(out.rglob("*.html"))


# ----------------------------------------------------------------------------- CLI
def cmd_site(args: argparse.Namespace) -> int:
    from .lesson_runner import LessonError

    out = Path(args.out)
    langs = list(LANGS) if args.lang == "both" else [args.lang]
    t0 = time.perf_counter()
    try:
        lessons = notebooks._lessons(args)
        editions = build_site(out, lessons, langs,
                              Path(args.dir) if getattr(args, "dir", None) else None,
                              progress=sys.stdout)
    except (LessonError, notebooks.NotebookError) as e:
        print(str(e), file=sys.stderr)
        return 2
    failed = [b for built in editions.values() for b in built if b.error]
    print(f"site: {len(pages(out))} pages ({', '.join(langs)}) in {out}/ in "
          f"{time.perf_counter() - t0:.1f} s; open {out}/index.html")
    for b in failed:
        print(f"lesson {b.name} FAILED: {b.error}", file=sys.stderr)
    return 1 if failed else 0


def add_subcommand(lsub: Any) -> None:
    sp = lsub.add_parser("site", help="build the course as a static HTML site (executed "
                         "lessons, figures, reproduction tables, errata; no network needed)")
    sp.add_argument("out", metavar="OUT", help="folder for the site (open OUT/index.html)")
    sp.add_argument("lessons", nargs="*", metavar="LESSON|ID",
                    help="only these lessons (default: all)")
    sp.add_argument("--lang", choices=(*LANGS, "both"), default="both",
                    help="the edition(s) to build (default both, with a language switch on "
                    "every page)")
    sp.set_defaults(func=cmd_site)
