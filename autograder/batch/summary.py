"""The batch's summary for course staff: ``summary.md`` and a self-contained
``summary.html`` (inline CSS and SVG, no script, nothing fetched).

It shows how many submissions ended in each status, each part's mean and distribution
of points, the checks that fail most often, and a histogram of total scores.
"""

import collections
import dataclasses
import html
import statistics

from autograder.batch.scores import GRADED, STATUSES, TIMED_OUT

TOP_FAILING = 10


@dataclasses.dataclass(frozen=True)
class PartStats:
    label: str
    title: str
    points: float
    mean: float
    distribution: tuple  # (points, submissions) pairs, highest points first


@dataclasses.dataclass(frozen=True)
class Summary:
    title: str
    submissions: int
    statuses: tuple  # (status, count), in STATUSES order, zero counts left out
    scored: int  # submissions with per-part scores (every status but a grader failure)
    total_points: float
    totals: tuple  # (mean, median, min, max) of the scored submissions' totals
    histogram: tuple  # (low, high, count) per one-point bin of the total
    parts: tuple  # PartStats
    failing: tuple  # (check id, check name, failed, out of), most frequent first
    ran: int  # submissions whose code ran (graded or timed out): failing counts are out of these
    warnings: tuple
    seconds: float
    jobs: int


def summarize(rows, rubric, *, warnings=(), seconds=0.0, jobs=1):
    """The :class:`Summary` of ``rows`` (scores.Row) graded under ``rubric``."""
    scored = [row for row in rows if row.part_scores]
    by_status = collections.Counter(row.status for row in rows)
    totals = [row.total for row in scored]
    parts = []
    for part in rubric.parts:
        points = [round(row.part_scores.get(part.label, 0.0), 4) for row in scored]
        counts = collections.Counter(points)
        parts.append(
            PartStats(
                label=part.label,
                title=part.title,
                points=part.points,
                mean=statistics.fmean(points) if points else 0.0,
                distribution=tuple(sorted(counts.items(), reverse=True)),
            )
        )
    ran = [row for row in rows if row.status in (GRADED, TIMED_OUT)]
    failures = collections.Counter(check for row in ran for check in row.failed_checks)
    names = {rule.check_id: f"{part.heading} {rule.name}" for part, rule in rubric.checks}
    return Summary(
        title=rubric.title,
        submissions=len(rows),
        statuses=tuple((status, by_status[status]) for status in STATUSES if by_status[status]),
        scored=len(scored),
        total_points=rubric.total_points,
        totals=(statistics.fmean(totals), statistics.median(totals), min(totals), max(totals)) if totals else (),
        histogram=_histogram(totals, rubric.total_points),
        parts=tuple(parts),
        failing=tuple(
            (check, names.get(check, check), count, len(ran)) for check, count in failures.most_common(TOP_FAILING)
        ),
        ran=len(ran),
        warnings=tuple(warnings),
        seconds=seconds,
        jobs=jobs,
    )


def _histogram(totals, maximum):
    """One bin per point, [k, k + 1), the last closed so a perfect score has a bin."""
    bins = max(1, int(-(-maximum // 1)))
    counts = [0] * bins
    for total in totals:
        counts[min(max(int(total), 0), bins - 1)] += 1
    return tuple((low, min(low + 1, maximum), count) for low, count in enumerate(counts))


def _percent(part, whole):
    return f"{100 * part / whole:.0f}%" if whole else "-"


# -- markdown ----------------------------------------------------------------------------


def to_markdown(summary):
    s = summary
    lines = [f"# Batch summary: {s.title}", ""]
    rate = f", {s.submissions / s.seconds:.1f} submissions/s with {s.jobs} grader processes" if s.seconds else ""
    lines += [f"{s.submissions} submissions graded in {s.seconds:.1f} s{rate}.", ""]
    lines += ["| Status | Submissions |", "|---|---|"]
    lines += [f"| {status} | {count} |" for status, count in s.statuses]
    if s.totals:
        mean, median, low, high = s.totals
        lines += [
            "",
            f"## Total score (out of {s.total_points:g}, {s.scored} submissions)",
            "",
            f"Mean {mean:.2f}, median {median:g}, lowest {low:g}, highest {high:g}.",
            "",
            "| Score | Submissions |",
            "|---|---|",
        ]
        for low_bin, high_bin, count in s.histogram:
            closing = "]" if high_bin == s.total_points else ")"
            lines.append(f"| [{low_bin:g}, {high_bin:g}{closing} | {count} {'█' * _bar(count, s.histogram)} |")
    lines += ["", "## Parts", "", "| Part | Mean | Distribution (points: submissions) |", "|---|---|---|"]
    for part in s.parts:
        spread = ", ".join(f"{points:g}: {count}" for points, count in part.distribution)
        lines.append(f"| ({part.label}) {part.title} | {part.mean:.2f} / {part.points:g} | {spread} |")
    if s.failing:
        lines += ["", f"## Most common failing checks (of {s.ran} submissions whose code ran)", ""]
        lines += ["| Check | Failed |", "|---|---|"]
        lines += [f"| `{check}` {name} | {count} ({_percent(count, out_of)}) |" for check, name, count, out_of in s.failing]
    if s.warnings:
        lines += ["", "## Problems with the export", ""] + [f"- {warning}" for warning in s.warnings]
    return "\n".join(lines) + "\n"


def _bar(count, histogram, width=40):
    most = max((c for _, _, c in histogram), default=0)
    return round(width * count / most) if most else 0


# -- HTML with inline SVG -------------------------------------------------------------------

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .8em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.bar { fill: #4a7ab5; }
code { background: #f3f3f3; padding: 0 .2em; }
"""


def to_html(summary):
    s = summary
    e = html.escape
    body = [f"<h1>Batch summary: {e(s.title)}</h1>"]
    rate = f", {s.submissions / s.seconds:.1f} submissions/s with {s.jobs} grader processes" if s.seconds else ""
    body.append(f"<p>{s.submissions} submissions graded in {s.seconds:.1f} s{e(rate)}.</p>")
    body.append(_table(["Status", "Submissions"], [(e(status), count) for status, count in s.statuses]))
    if s.totals:
        mean, median, low, high = s.totals
        body.append(f"<h2>Total score (out of {s.total_points:g}, {s.scored} submissions)</h2>")
        body.append(f"<p>Mean {mean:.2f}, median {median:g}, lowest {low:g}, highest {high:g}.</p>")
        bars = [(f"{low_bin:g}", count) for low_bin, _, count in s.histogram]
        body.append(_svg_bars(bars, "Number of submissions per total score (bin k holds scores from k up to k + 1)"))
    body.append("<h2>Parts</h2>")
    rows = []
    for part in s.parts:
        bars = [(f"{points:g}", count) for points, count in sorted(part.distribution)]
        rows.append((f"({e(part.label)}) {e(part.title)}", f"{part.mean:.2f} / {part.points:g}", _svg_bars(bars, "", small=True)))
    body.append(_table(["Part", "Mean", "Points: submissions"], rows))
    if s.failing:
        body.append(f"<h2>Most common failing checks (of {s.ran} submissions whose code ran)</h2>")
        body.append(
            _table(
                ["Check", "Name", "Failed"],
                [(f"<code>{e(check)}</code>", e(name), f"{count} ({_percent(count, n)})") for check, name, count, n in s.failing],
            )
        )
    if s.warnings:
        body.append("<h2>Problems with the export</h2><ul>")
        body += [f"<li>{e(warning)}</li>" for warning in s.warnings]
        body.append("</ul>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Batch summary: {e(s.title)}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _table(header, rows):
    head = "".join(f"<th>{cell}</th>" for cell in header)
    lines = [f"<table><tr>{head}</tr>"]
    for row in rows:
        cells = "".join(f"<td class=\"n\">{cell}</td>" if isinstance(cell, (int, float)) else f"<td>{cell}</td>" for cell in row)
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _svg_bars(bars, caption, small=False):
    """A bar chart of ``(label, count)`` pairs as inline SVG, each bar labelled."""
    bar_width, gap, height = (26, 6, 60) if small else (40, 8, 160)
    top, bottom = 14, 18
    most = max((count for _, count in bars), default=0) or 1
    width = len(bars) * (bar_width + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + top + bottom}" '
        f'role="img" aria-label="{html.escape(caption or "distribution")}">'
    ]
    for index, (label, count) in enumerate(bars):
        x = gap + index * (bar_width + gap)
        bar = round(height * count / most)
        y = top + height - bar
        parts.append(f'<rect class="bar" x="{x}" y="{y}" width="{bar_width}" height="{bar}"><title>{html.escape(label)}: {count}</title></rect>')
        parts.append(f'<text x="{x + bar_width / 2}" y="{y - 3}" text-anchor="middle">{count}</text>')
        parts.append(
            f'<text x="{x + bar_width / 2}" y="{top + height + 13}" text-anchor="middle">{html.escape(label)}</text>'
        )
    parts.append("</svg>")
    figure = "".join(parts)
    return f"<figure>{figure}<figcaption>{html.escape(caption)}</figcaption></figure>" if caption else figure
