"""The batch's summary for course staff: ``summary.md`` and a self-contained
``summary.html`` (inline CSS, SVG and script; nothing fetched).

From the top: a banner when the run is partial; when it ran, with which rubric (path and
sha256) and seed (kind and sha256); the statuses; a histogram of totals with a bin of its
own for full marks; each part's mean and distribution; item analytics for each scored
check (how often it is failed, its discrimination: the point-biserial correlation of its
score with the rest of the total) and each recognised mistake with the students who made
it; the zero-point checks apart; the submissions that did not grade (import failures,
timeouts, grader errors, no submission) with their detail; a regrade diff when the batch
was compared with an earlier one; and one row per submission, linking to its
results.json and log. In the HTML page that table sorts by any column (click its
heading) and filters as you type; ``#sort=total&desc&q=text`` in the address does both
on opening.

Every string a student controls (names, ids, messages, file names) is escaped for the
format it is written in.
"""

import dataclasses
import datetime
import html
import re
import statistics
import urllib.parse

from autograder.batch.scores import by_submission_id
from autograder.labels import STATUSES, Status
from autograder.markdown import inline_code
from autograder.terminal import printable

#: The statuses listed one submission at a time, most serious first.
NOT_GRADED = (Status.IMPORT_FAILED, Status.TIMED_OUT, Status.ERROR, Status.NO_SUBMISSION)
#: Below this discrimination a scored check is marked as one to look at.
LOW_DISCRIMINATION = 0.2
PARTIAL_PREFIX = "Partial:"


@dataclasses.dataclass(frozen=True)
class PartStats:
    label: str
    title: str
    points: float
    mean: float
    distribution: tuple  # (points, submissions) pairs, highest points first


@dataclasses.dataclass(frozen=True)
class Student:
    """One submission as the summary lists it."""

    submission_id: str
    names: str  # "; "-joined, as in scores.csv
    status: str
    part_scores: dict
    total: float
    detail: str
    has_results: bool
    has_log: bool


@dataclasses.dataclass(frozen=True)
class CheckStats:
    """Item analytics of one check over the submissions whose code ran."""

    check_id: str
    name: str  # "(b) dLoss_t/dx_t on random weights"
    weight: float
    ran: int
    failed: int  # earned less than the whole weight
    mean: float  # fraction of the weight earned, on average
    discrimination: object  # point-biserial r of the check's score with the rest of the total, None if undefined
    mistakes: tuple  # (key, submission ids), most frequent first
    unrecognised: tuple  # ids of submissions that failed it with no recognised mistake


@dataclasses.dataclass(frozen=True)
class Summary:
    title: str
    submissions: int
    statuses: tuple  # (status, count), in STATUSES order, zero counts left out
    scored: int  # submissions with per-part scores (every status but a grader failure)
    total_points: float
    manual: str  # the points staff grade by hand beside these totals, as a sentence ("" for none)
    totals: tuple  # (mean, median, min, max) of the scored submissions' totals
    histogram: tuple  # (low, high, count): one-point bins [low, high), then (max, max, count) for full marks
    parts: tuple  # PartStats
    ran: int  # submissions whose code ran (graded or timed out): analytics are over these
    checks: tuple  # CheckStats of the scored checks, in rubric order
    zero_point: tuple  # CheckStats of the checks worth no points
    students: tuple  # Student, by submission id
    not_graded: tuple  # (status, Students) for each status of NOT_GRADED that occurred
    warnings: tuple  # what went wrong with the export, and the shard
    partial: str  # the banner of a partial run, or ""
    seconds: float
    jobs: int
    written: str  # when the summary was written, ISO 8601 UTC
    provenance: dict  # rubric, rubric_sha256, seed, seed_sha256, started (from batch.json)
    comparison: object = None  # an autograder.batch.compare.Comparison, or None


def summarize(rows, rubric, *, warnings=(), seconds=0.0, jobs=1, meta=None, out_dir=None, comparison=None):
    """The :class:`Summary` of ``rows`` (scores.Row) graded under ``rubric``. ``meta`` is
    the batch's batch.json (rubric and seed hashes); ``out_dir`` where results/ and logs/
    are, to link only to what exists; ``comparison`` a regrade diff to show."""
    scored = [row for row in rows if row.part_scores]
    totals = [row.total for row in scored]
    parts = []
    for part in rubric.parts:
        points = [round(row.part_scores.get(part.label, 0.0), 4) for row in scored]
        counts = {}
        for value in points:
            counts[value] = counts.get(value, 0) + 1
        parts.append(
            PartStats(
                label=part.label,
                title=part.title,
                points=part.points,
                mean=statistics.fmean(points) if points else 0.0,
                distribution=tuple(sorted(counts.items(), reverse=True)),
            )
        )
    ran = [row for row in rows if row.status in (Status.GRADED, Status.TIMED_OUT)]
    analytics = [_check_stats(part, rule, ran) for part, rule in rubric.checks]
    students = tuple(_student(row, out_dir) for row in sorted(rows, key=by_submission_id))
    partial = [w for w in warnings if w.startswith(PARTIAL_PREFIX)]
    meta = dict(meta or {})
    return Summary(
        title=rubric.title,
        submissions=len(rows),
        statuses=tuple((status, n) for status in STATUSES if (n := sum(row.status == status for row in rows))),
        scored=len(scored),
        total_points=rubric.total_points,
        manual=rubric.manual_sentence().replace("this score", "these totals"),
        totals=(statistics.fmean(totals), statistics.median(totals), min(totals), max(totals)) if totals else (),
        histogram=histogram(totals, rubric.total_points),
        parts=tuple(parts),
        ran=len(ran),
        checks=tuple(c for c in analytics if c.weight > 0),
        zero_point=tuple(c for c in analytics if c.weight <= 0),
        students=students,
        not_graded=tuple(
            (status, group) for status in NOT_GRADED if (group := tuple(s for s in students if s.status == status))
        ),
        warnings=tuple(w for w in warnings if not w.startswith(PARTIAL_PREFIX)),
        partial=partial[0] if partial else "",
        seconds=seconds,
        jobs=jobs,
        written=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        provenance={
            "rubric": meta.get("rubric", str(rubric.path)),
            "rubric_sha256": meta.get("rubric_sha256", ""),
            "seed": meta.get("seed", ""),
            "seed_sha256": meta.get("seed_sha256", ""),
            "started": meta.get("started", ""),
        },
        comparison=comparison,
    )


def histogram(totals, maximum):
    """``(low, high, count)`` per one-point bin ``[low, high)`` below ``maximum``, then
    ``(maximum, maximum, count)``: full marks, a bin of their own."""
    bins = max(1, int(-(-maximum // 1)))
    counts = [0] * (bins + 1)
    for total in totals:
        counts[bins if total >= maximum - 1e-9 else min(max(int(total), 0), bins - 1)] += 1
    below = [(low, min(low + 1, maximum), count) for low, count in enumerate(counts[:bins])]
    return (*below, (maximum, maximum, counts[bins]))


def check_fraction(row, check_id):
    """The fraction of ``check_id``'s weight ``row`` earned (a journal from before
    ``check_scores``: whether the check is among the failed ones)."""
    if row.check_scores:
        return row.check_scores.get(check_id, 0.0)
    return 0.0 if check_id in row.failed_checks else 1.0


def point_biserial(scores, rests):
    """The correlation of a check's ``scores`` (fractions; 0 or 1 for a check without
    partial credit, where this is the point-biserial r) with ``rests``, the rest of each
    total; None where either does not vary."""
    if len(scores) < 2 or len(set(scores)) < 2 or len(set(rests)) < 2:
        return None
    return statistics.correlation(scores, rests)


def _check_stats(part, rule, ran):
    fractions = [check_fraction(row, rule.check_id) for row in ran]
    rests = [row.total - rule.weight * fraction for row, fraction in zip(ran, fractions)]
    lost = [row for row, fraction in zip(ran, fractions) if fraction < 1 - 1e-9]
    by_mistake = {}
    for row in lost:
        by_mistake.setdefault(row.mistakes.get(rule.check_id, ""), []).append(row.submission_id)
    unrecognised = by_mistake.pop("", [])
    return CheckStats(
        check_id=rule.check_id,
        name=f"{part.heading} {rule.name}",
        weight=rule.weight,
        ran=len(ran),
        failed=len(lost),
        mean=statistics.fmean(fractions) if fractions else 0.0,
        discrimination=point_biserial(fractions, rests) if rule.weight > 0 else None,
        mistakes=tuple(sorted(((k, tuple(v)) for k, v in by_mistake.items()), key=lambda item: (-len(item[1]), item[0]))),
        unrecognised=tuple(unrecognised),
    )


def _student(row, out_dir):
    has_results, has_log = True, False
    if out_dir is not None:
        has_results = (out_dir / "results" / f"{row.submission_id}.json").exists()
        has_log = (out_dir / "logs" / f"{row.submission_id}.txt").exists()
    return Student(
        submission_id=row.submission_id,
        names="; ".join(p.name for p in row.submitters),
        status=row.status,
        part_scores=dict(row.part_scores),
        total=row.total,
        detail=row.detail,
        has_results=has_results,
        has_log=has_log,
    )


def _percent(part, whole):
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _r(value):
    return "–" if value is None else f"{value:+.2f}"


def _bin_label(low, high, maximum):
    return f"{maximum:g} (full marks)" if low == high == maximum else f"[{low:g}, {high:g})"


def _link(kind, submission_id, suffix):
    """The relative address of ``kind/<id><suffix>``: an id is any folder name, its
    bytes (a name that is not UTF-8 included) percent-encoded."""
    return f"{kind}/" + urllib.parse.quote(submission_id + suffix, safe="", errors="surrogateescape")


# -- markdown ----------------------------------------------------------------------------

#: Characters that markdown may read as syntax inside a line (emphasis, code, links, HTML,
#: entities, GitHub's table cells, strikethrough and math): each is written with a
#: backslash before it. What matters only at a line's start (``#``, ``+``) never is one here.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]<>|~&$])")


def md(text):
    """``text`` (a name, an id, a message) as markdown that shows exactly it, on one line."""
    return _MARKDOWN_SYNTAX.sub(r"\\\1", re.sub(r"\s+", " ", printable(text)).strip())


def _md_student(student):
    name = f" ({md(student.names)})" if student.names else ""
    return f"{md(student.submission_id)}{name}"


def to_markdown(summary):
    s = summary
    lines = []
    if s.partial:
        lines += [f"> **{md(s.partial)}**", ""]
    lines += [f"# Batch summary: {md(s.title)}", ""]
    lines += [f"- {line}" for line in _provenance(s, md, inline_code)]
    rate = f", {s.submissions / s.seconds:.1f} submissions/s with {s.jobs} grader processes" if s.seconds else ""
    lines += ["", f"{s.submissions} submissions graded in {s.seconds:.1f} s{rate}.", ""]
    lines += ["| Status | Submissions |", "|---|---|"]
    lines += [f"| {status} | {count} |" for status, count in s.statuses]
    if s.totals:
        mean, median, low, high = s.totals
        lines += [
            "",
            f"## Total score (out of {s.total_points:g}, {s.scored} submissions)",
            "",
            f"Mean {mean:.2f}, median {median:g}, lowest {low:g}, highest {high:g}.",
            *([ "", s.manual] if s.manual else []),
            "",
            "| Score | Submissions |",
            "|---|---|",
        ]
        for low_bin, high_bin, count in s.histogram:
            label = _bin_label(low_bin, high_bin, s.total_points)
            lines.append(f"| {label} | {count} {'█' * _bar(count, s.histogram)} |")
    lines += ["", "## Parts", "", "| Part | Mean | Distribution (points: submissions) |", "|---|---|---|"]
    for part in s.parts:
        spread = ", ".join(f"{points:g}: {count}" for points, count in part.distribution)
        lines.append(f"| ({md(part.label)}) {md(part.title)} | {part.mean:.2f} / {part.points:g} | {spread} |")
    names = {student.submission_id: student for student in s.students}
    if s.checks:
        lines += ["", f"## Item analytics (of {s.ran} submissions whose code ran)", ""]
        lines += [
            "Discrimination is the point-biserial correlation of a check's score with the rest of the total: "
            f"near 0 (below {LOW_DISCRIMINATION:g}, marked ⚠) the check does not tell strong answers from weak ones.",
            "",
            "| Check | Points | Failed | Mean | Discrimination | Recognised mistakes |",
            "|---|---|---|---|---|---|",
        ]
        for c in s.checks:
            lines.append(
                f"| `{c.check_id}` {md(c.name)} | {c.weight:g} | {c.failed} ({_percent(c.failed, c.ran)}) | "
                f"{c.mean:.2f} | {_r(c.discrimination)}{_flag(c)} | "
                f"{', '.join(f'`{key}`: {len(ids)}' for key, ids in c.mistakes) or '–'} |"
            )
        lines += ["", "### Who lost points, and for which mistake", ""]
        for c in s.checks:
            if not c.failed:
                continue
            lines.append(f"- `{c.check_id}` {md(c.name)}: {c.failed} of {c.ran}")
            for key, ids in c.mistakes:
                lines.append(f"  - `{key}` ({len(ids)}): {', '.join(_md_student(names[i]) for i in ids)}")
            if c.unrecognised:
                who = ", ".join(_md_student(names[i]) for i in c.unrecognised)
                lines.append(f"  - no recognised mistake ({len(c.unrecognised)}): {who}")
    if s.zero_point:
        lines += ["", "## Zero-point checks (information only: no points)", ""]
        lines += ["| Check | Failed | Recognised mistakes |", "|---|---|---|"]
        for c in s.zero_point:
            mistakes = ", ".join(f"`{key}`: {len(ids)}" for key, ids in c.mistakes) or "–"
            lines.append(f"| `{c.check_id}` {md(c.name)} | {c.failed} ({_percent(c.failed, c.ran)}) | {mistakes} |")
    for status, group in s.not_graded:
        lines += ["", f"## {status.capitalize()} ({len(group)})", ""]
        lines += [f"- {_md_student(student)}: {md(student.detail) or '–'}" for student in group]
    if s.comparison is not None:
        lines += ["", *_comparison_markdown(s.comparison)]
    if s.warnings:
        lines += ["", "## Problems with the export", ""] + [f"- {md(warning)}" for warning in s.warnings]
    if s.students:
        labels = [part.label for part in s.parts]
        lines += ["", "## Submissions", ""]
        lines += ["| Submission | Name | Status | " + " | ".join(md(label) for label in labels) + " | Total | Detail | Files |"]
        lines += ["|" + "---|" * (len(labels) + 6)]
        for student in s.students:
            points = [f"{student.part_scores[label]:g}" if label in student.part_scores else "" for label in labels]
            files = [f"[results]({_link('results', student.submission_id, '.json')})"] if student.has_results else []
            if student.has_log:
                files.append(f"[log]({_link('logs', student.submission_id, '.txt')})")
            lines.append(
                f"| {md(student.submission_id)} | {md(student.names)} | {student.status} | {' | '.join(points)} | "
                f"{student.total:g} | {md(student.detail)} | {' '.join(files)} |"
            )
    return "\n".join(lines) + "\n"


def _flag(check):
    low = check.discrimination is not None and check.discrimination < LOW_DISCRIMINATION
    return " ⚠" if low else ""


def _provenance(s, escape, code):
    """When it ran, with which rubric and seed: one line each, ``escape``d; ``code`` makes
    escaped code of a path or hash."""
    p = s.provenance
    started = f" (the batch started {escape(p['started'])})" if p["started"] else ""
    lines = [f"Written {s.written}{started}."]
    digest = f", sha256 {code(p['rubric_sha256'])}" if p["rubric_sha256"] else ""
    lines.append(f"Rubric: {code(p['rubric'])}{digest}.")
    if p["seed_sha256"]:
        lines.append(f"Seed: {escape(p['seed'] or 'unknown')}, sha256 {code(p['seed_sha256'])}.")
    return lines


def _comparison_markdown(c):
    from autograder.batch.compare import describe  # the section exists only with a comparison

    lines = ["## Regrade: changes from the earlier batch", "", md(describe(c)), ""]
    if c.changes:
        lines += ["| Submission | Name | Before | After | Change | Checks that changed |", "|---|---|---|---|---|---|"]
        for change in c.changes:
            lines.append(
                f"| {md(change.submission_id)} | {md('; '.join(p.name for p in change.submitters))} | "
                f"{_before_after(change.old_total, change.old_status)} | {_before_after(change.new_total, change.new_status)} | "
                f"{change.delta:+g} | {'; '.join(md(str(check)) for check in change.checks) or '–'} |"
            )
    return lines


def _before_after(total, status):
    return "not in it" if total is None else f"{total:g}" + ("" if status == Status.GRADED else f" ({status})")


def _bar(count, histogram, width=40):
    most = max((c for _, _, c in histogram), default=0)
    return round(width * count / most) if most else 0


# -- HTML with inline SVG and a script -----------------------------------------------------

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; padding: 0 1em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .8em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; user-select: none; }
th[aria-sort=ascending]::after { content: " ▲"; } th[aria-sort=descending]::after { content: " ▼"; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.bar { fill: #4a7ab5; } .bar.full { fill: #2e8b57; }
.banner { background: #c62828; color: #fff; padding: .8em 1em; font-weight: bold; margin-bottom: 1em; }
.low { color: #b26a00; }
code { background: #f3f3f3; padding: 0 .2em; }
input[type=search] { font: inherit; padding: .2em .4em; width: 20em; }
ul.who { margin-top: 0; } ul.who li { margin: .2em 0; }
"""

# Sorts any table.sortable by the column whose heading is clicked (numbers as numbers,
# by a cell's data-sort when it has one), filters the submissions as one types, and
# applies #sort=KEY[&desc][&q=TEXT] from the address on opening.
_SCRIPT = """
(function () {
  function value(cell) {
    var text = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    return /^-?[0-9]+(\\.[0-9]+)?$/.test(text) ? parseFloat(text) : text.toLowerCase();
  }
  function sortBy(table, column, descending) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a.cells[column]), y = value(b.cells[column]);
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      var order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (index === column) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }
  function filter(table, text) {
    var words = text.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var line = row.textContent.toLowerCase();
      row.hidden = !words.every(function (word) { return line.indexOf(word) >= 0; });
      shown += row.hidden ? 0 : 1;
    });
    var count = document.getElementById("shown");
    if (count) count.textContent = shown + " shown";
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.tabIndex = 0;
      function sort() { sortBy(table, index, th.getAttribute("aria-sort") === "ascending"); }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") sort(); });
    });
  });
  var students = document.getElementById("students"), search = document.getElementById("search");
  if (!students || !search) return;
  search.addEventListener("input", function () { filter(students, search.value); });
  var wanted = new URLSearchParams(location.hash.slice(1));
  if (wanted.has("sort")) {
    var keys = Array.prototype.map.call(students.tHead.rows[0].cells, function (th) { return th.getAttribute("data-key"); });
    var column = keys.indexOf(wanted.get("sort"));
    if (column >= 0) sortBy(students, column, wanted.has("desc"));
  }
  if (wanted.has("q")) { search.value = wanted.get("q"); filter(students, search.value); }
})();
"""


def esc(text):
    """``text`` as HTML text or an attribute value: student text shown, never run."""
    return html.escape(printable(text), quote=True)


def _html_student(student):
    name = f" ({esc(student.names)})" if student.names else ""
    link = f'<a href="{esc(_link("results", student.submission_id, ".json"))}">' if student.has_results else ""
    return f"{link}{esc(student.submission_id)}{'</a>' if link else ''}{name}"


def to_html(summary):
    s = summary
    body = []
    if s.partial:
        body.append(f'<div class="banner" role="alert" id="partial">{esc(s.partial)}</div>')
    body.append(f"<h1>Batch summary: {esc(s.title)}</h1>")
    body.append("<ul>" + "".join(f"<li>{line}</li>" for line in _provenance(s, esc, lambda text: f"<code>{esc(text)}</code>")) + "</ul>")
    rate = f", {s.submissions / s.seconds:.1f} submissions/s with {s.jobs} grader processes" if s.seconds else ""
    body.append(f"<p>{s.submissions} submissions graded in {s.seconds:.1f} s{esc(rate)}.</p>")
    body.append(_table(["Status", "Submissions"], [(esc(status), count) for status, count in s.statuses]))
    if s.totals:
        mean, median, low, high = s.totals
        body.append(f"<h2>Total score (out of {s.total_points:g}, {s.scored} submissions)</h2>")
        body.append(f"<p>Mean {mean:.2f}, median {median:g}, lowest {low:g}, highest {high:g}.</p>")
        if s.manual:
            body.append(f"<p>{esc(s.manual)}</p>")
        bars = [
            (f"{low_bin:g}" if low_bin != high_bin else f"{low_bin:g}★", count, low_bin == high_bin)
            for low_bin, high_bin, count in s.histogram
        ]
        body.append(
            _svg_bars(bars, f"Submissions per total score: bar k holds totals from k up to k + 1; ★ is full marks ({s.total_points:g}).", histogram=True)
        )
    body.append("<h2>Parts</h2>")
    rows = []
    for part in s.parts:
        bars = [(f"{points:g}", count, False) for points, count in sorted(part.distribution)]
        rows.append((f"({esc(part.label)}) {esc(part.title)}", f"{part.mean:.2f} / {part.points:g}", _svg_bars(bars, "", small=True)))
    body.append(_table(["Part", "Mean", "Points: submissions"], rows))
    body += _analytics_html(s)
    for status, group in s.not_graded:
        body.append(f'<h2 id="{esc(status.replace(" ", "-"))}">{esc(status.capitalize())} ({len(group)})</h2><ul>')
        body += [f"<li>{_html_student(student)}: {esc(student.detail) or '–'}</li>" for student in group]
        body.append("</ul>")
    if s.comparison is not None:
        body += _comparison_html(s.comparison)
    if s.warnings:
        body.append("<h2>Problems with the export</h2><ul>")
        body += [f"<li>{esc(warning)}</li>" for warning in s.warnings]
        body.append("</ul>")
    body += _students_html(s)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Batch summary: {esc(s.title)}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + f"\n<script>{_SCRIPT}</script>\n</body></html>\n"
    )


def _analytics_html(s):
    body = []
    if s.checks:
        body.append(f"<h2>Item analytics (of {s.ran} submissions whose code ran)</h2>")
        body.append(
            "<p>Discrimination is the point-biserial correlation of a check's score with the rest of the total: "
            f"near 0 (below {LOW_DISCRIMINATION:g}, marked ⚠) the check does not tell strong answers from weak ones.</p>"
        )
        rows = [
            (
                f"<code>{esc(c.check_id)}</code> {esc(c.name)}",
                f"{c.weight:g}",
                f"{c.failed} ({_percent(c.failed, c.ran)})",
                f"{c.mean:.2f}",
                f'<span class="{"low" if _flag(c) else ""}">{_r(c.discrimination)}{_flag(c)}</span>',
                ", ".join(f"<code>{esc(key)}</code>: {len(ids)}" for key, ids in c.mistakes) or "–",
            )
            for c in s.checks
        ]
        body.append(_table(["Check", "Points", "Failed", "Mean", "Discrimination", "Recognised mistakes"], rows, "checks"))
        body.append("<h3>Who lost points, and for which mistake</h3>")
        names = {student.submission_id: student for student in s.students}
        for c in s.checks:
            if not c.failed:
                continue
            body.append(f"<p><code>{esc(c.check_id)}</code> {esc(c.name)}: {c.failed} of {c.ran}</p><ul class=\"who\">")
            for key, ids in c.mistakes:
                who = ", ".join(_html_student(names[i]) for i in ids)
                body.append(f'<li data-mistake="{esc(key)}"><code>{esc(key)}</code> ({len(ids)}): {who}</li>')
            if c.unrecognised:
                who = ", ".join(_html_student(names[i]) for i in c.unrecognised)
                body.append(f"<li>no recognised mistake ({len(c.unrecognised)}): {who}</li>")
            body.append("</ul>")
    if s.zero_point:
        body.append("<h2>Zero-point checks (information only: no points)</h2>")
        rows = [
            (
                f"<code>{esc(c.check_id)}</code> {esc(c.name)}",
                f"{c.failed} ({_percent(c.failed, c.ran)})",
                ", ".join(f"<code>{esc(key)}</code>: {len(ids)}" for key, ids in c.mistakes) or "–",
            )
            for c in s.zero_point
        ]
        body.append(_table(["Check", "Failed", "Recognised mistakes"], rows, "zero-point"))
    return body


def _comparison_html(c):
    from autograder.batch.compare import describe  # the section exists only with a comparison

    body = ['<h2 id="regrade">Regrade: changes from the earlier batch</h2>', f"<p>{esc(describe(c))}</p>"]
    if c.changes:
        rows = [
            (
                esc(change.submission_id),
                esc("; ".join(p.name for p in change.submitters)),
                esc(_before_after(change.old_total, change.old_status)),
                esc(_before_after(change.new_total, change.new_status)),
                f"{change.delta:+g}",
                "<br>".join(esc(str(check)) for check in change.checks) or "–",
            )
            for change in c.changes
        ]
        body.append(_table(["Submission", "Name", "Before", "After", "Change", "Checks that changed"], rows, "changes", sortable=True))
    return body


def _students_html(s):
    if not s.students:
        return []
    labels = [part.label for part in s.parts]
    head = [("id", "Submission"), ("name", "Name"), ("status", "Status"), *((label, f"({label})") for label in labels),
            ("total", "Total"), ("detail", "Detail"), ("files", "Files")]
    lines = [
        '<h2 id="submissions">Submissions</h2>',
        f'<p><input type="search" id="search" placeholder="Search names, ids, statuses, details" '
        f'aria-label="Search the submissions"> <span id="shown">{len(s.students)} shown</span></p>',
        '<table class="sortable" id="students"><thead><tr>'
        + "".join(f'<th data-key="{esc(key)}">{esc(title)}</th>' for key, title in head)
        + "</tr></thead><tbody>",
    ]
    for student in s.students:
        files = [f'<a href="{esc(_link("results", student.submission_id, ".json"))}">results</a>'] if student.has_results else []
        if student.has_log:
            files.append(f'<a href="{esc(_link("logs", student.submission_id, ".txt"))}">log</a>')
        points = "".join(
            f'<td class="n">{student.part_scores[label]:g}</td>' if label in student.part_scores else '<td class="n" data-sort="-1"></td>'
            for label in labels
        )
        lines.append(
            f'<tr data-id="{esc(student.submission_id)}"><td>{esc(student.submission_id)}</td><td>{esc(student.names)}</td>'
            f"<td>{esc(student.status)}</td>{points}<td class=\"n\">{student.total:g}</td>"
            f"<td>{esc(student.detail)}</td><td>{' '.join(files)}</td></tr>"
        )
    lines.append("</tbody></table>")
    return lines


def _table(header, rows, table_id="", sortable=False):
    head = "".join(f"<th>{cell}</th>" for cell in header)
    attributes = (f' id="{table_id}"' if table_id else "") + (' class="sortable"' if sortable else "")
    lines = [f"<table{attributes}><thead><tr>{head}</tr></thead><tbody>"]
    for row in rows:
        cells = "".join(f"<td class=\"n\">{cell}</td>" if isinstance(cell, (int, float)) else f"<td>{cell}</td>" for cell in row)
        lines.append(f"<tr>{cells}</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _svg_bars(bars, caption, small=False, histogram=False):
    """A bar chart of ``(label, count, highlighted)`` as inline SVG, each bar labelled."""
    bar_width, gap, height = (26, 6, 60) if small else (40, 8, 160)
    top, bottom = 14, 18
    most = max((count for _, count, _ in bars), default=0) or 1
    width = len(bars) * (bar_width + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + top + bottom}" '
        f'role="img" aria-label="{esc(caption or "distribution")}"{" id=histogram" if histogram else ""}>'
    ]
    for index, (label, count, highlighted) in enumerate(bars):
        x = gap + index * (bar_width + gap)
        bar = round(height * count / most)
        y = top + height - bar
        kind = "bar full" if highlighted else "bar"
        parts.append(f'<rect class="{kind}" x="{x}" y="{y}" width="{bar_width}" height="{bar}"><title>{esc(label)}: {count}</title></rect>')
        parts.append(f'<text x="{x + bar_width / 2}" y="{y - 3}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar_width / 2}" y="{top + height + 13}" text-anchor="middle">{esc(label)}</text>')
    parts.append("</svg>")
    figure = "".join(parts)
    return f"<figure>{figure}<figcaption>{esc(caption)}</figcaption></figure>" if caption else figure

