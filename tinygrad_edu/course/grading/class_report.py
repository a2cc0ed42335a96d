"""The class report of ``grade-all``: one HTML file that opens with no network.

It shows a histogram of the scores, the pass rate of every check, the most frequent
diagnosed mistakes with their counts, and the slowest and the failed submissions.
Figures are drawn with matplotlib (Agg) and embedded as PNG data; without matplotlib
the report says so and keeps its tables.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter
from pathlib import Path

from .assignment import Assignment
from .classroom import STATUSES, Outcome


def _figure_png(draw: object) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig = draw(plt)  # type: ignore[operator]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _histogram(scores: list[float], max_score: float) -> object:
    def draw(plt: object) -> object:
        fig, ax = plt.subplots(figsize=(7, 3.2))  # type: ignore[attr-defined]
        bins = min(20, max(5, int(max_score) + 1))
        ax.hist(scores, bins=bins, range=(0, max_score or 1), color="#4c72b0",
                edgecolor="white")
        ax.set_xlabel("score")
        ax.set_ylabel("students")
        ax.set_title(f"Scores of {len(scores)} students (max {max_score:g})")
        return fig

    return draw


def _pass_rates(rates: list[tuple[str, float]]) -> object:
    def draw(plt: object) -> object:
        height = max(2.5, 0.32 * len(rates) + 1)
        fig, ax = plt.subplots(figsize=(8, height))  # type: ignore[attr-defined]
        labels = [name if len(name) < 60 else name[:57] + "…" for name, _ in rates]
        ax.barh(range(len(rates)), [100 * r for _, r in rates], color="#55a868")
        ax.set_yticks(range(len(rates)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("students passing (%)")
        ax.set_title("Pass rate of each check")
        return fig

    return draw


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>" if rows else "<p>None.</p>"


def _img(png: str | None, alt: str) -> str:
    if png is None:
        return "<p><em>(install matplotlib to see this figure)</em></p>"
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png}">'


def mistakes(outcomes: list[Outcome]) -> list[tuple[str, str, int]]:
    """(the checks where it showed, a diagnosed mistake, number of students making it),
    from most to least frequent."""
    students: Counter[str] = Counter()
    checks: dict[str, list[str]] = {}
    for o in outcomes:
        found: dict[str, str] = {}
        for c in o.checks:
            if c.get("mistake"):
                found.setdefault(c["mistake"], c["name"])
                where = checks.setdefault(c["mistake"], [])
                if c["name"] not in where:
                    where.append(c["name"])
        students.update(found.keys())
    return [("; ".join(checks[m]), m, n) for m, n in students.most_common()]


def write_report(outcomes: list[Outcome], assignment: Assignment, path: Path,
                 seconds: float | None = None) -> None:
    names = assignment.check_names()
    graded = [o for o in outcomes if o.status != "no submission"]
    scores = [o.score for o in graded]
    max_score = assignment.max_points
    rates = []
    for name in names:
        ran = [c for o in graded for c in o.checks if c["name"] == name]
        rates.append((name, sum(bool(c["passed"]) for c in ran) / len(ran) if ran else 0.0))
    counts = Counter(o.status for o in outcomes)
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
    stats = ""
    if scores:
        stats = (f"mean {statistics.mean(scores):.2f}, median {statistics.median(scores):g}, "
                 f"full marks {sum(s >= max_score for s in scores)} of {len(scores)}")
    slow = sorted(outcomes, key=lambda o: -o.seconds)[:10]
    failed = [o for o in outcomes if o.status != "graded"]
    parts = ", ".join(f"{p.exercise.name} ×{p.weight:g}" if p.weight != 1 else p.exercise.name
                      for p in assignment.parts)
    now = sum(not o.cached for o in outcomes)
    timing = (f" This run: {seconds:.1f} s, {now} graded, {len(outcomes) - now} unchanged "
              "since the last run." if seconds is not None else "")
    body = f"""
<h1>Class report: {html.escape(assignment.title)}</h1>
<p>Exercises: {html.escape(parts)}. {len(outcomes)} students: {html.escape(summary)}.
{html.escape(stats)}.{html.escape(timing)}</p>
<h2>Scores</h2>
{_img(_figure_png(_histogram(scores, max_score)) if scores else None, "score histogram")}
<h2>Pass rate of each check</h2>
{_img(_figure_png(_pass_rates(rates)) if rates else None, "pass rate of each check")}
{_table(["check", "passing"], [[n, f"{100 * r:.0f} %"] for n, r in rates])}
<h2>Most frequent diagnosed mistakes</h2>
{_table(["students", "checks where it showed", "likely mistake"],
        [[str(n), check, m] for check, m, n in mistakes(outcomes)[:15]])}
<h2>Slowest submissions</h2>
{_table(["student", "seconds", "status", "score"],
        [[o.student, f"{o.seconds:.1f}", o.status, f"{o.score:g}"] for o in slow])}
<h2>Submissions that were not graded normally</h2>
{_table(["student", "status", "score", "what happened"],
        [[o.student, o.status, f"{o.score:g}", _reason(o)] for o in failed])}
"""
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:.5em 0}"
             "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;"
             "vertical-align:top;font-size:90%}img{max-width:100%}")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Class report: "
            f"{html.escape(assignment.name)}</title><style>{style}</style></head>"
            f"<body>{body}</body></html>\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


def _reason(o: Outcome) -> str:
    for c in o.checks:
        if c.get("failure") and c.get("failure") != "missing":
            return c.get("output", "")[:300]
    if o.messages:
        return o.messages[0][:300]
    return "no file for this assignment" if o.status == "no submission" else ""
