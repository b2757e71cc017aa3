"""The batch's summary as a tool, from a real batch of a Gradescope export of sample
submissions: item analytics (each check's failure count and point-biserial
discrimination, computed here again from the results.json files), the recognised
mistakes of the b_* and d_* samples and who made them, a bin of its own for full marks,
every student-controlled string escaped, and the page rendered in a real headless
Chromium (sorted and filtered by its script, a partial run's banner at the top)."""

import html.parser
import io
import json
import math
import os
import re
import shutil
import statistics
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from autograder import grading
from autograder.batch import run_batch
from autograder.batch.summary import summarize, to_html, to_markdown

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
HOSTILE = '<script>alert("x")</script> | **Eve** _x_ [a](http://x) `c`'

# submission number -> (sample, name); the recognised mistake each sample makes is stated in MISTAKES
STUDENTS = {
    1: ("correct", HOSTILE),
    2: ("correct_lists", "Ana Pérez"),
    3: ("b_no_transpose", "Bo Li, Jr."),
    4: ("b_reversed", "Cy"),
    5: ("b_wss", "Di"),
    6: ("b_stops_early", "Ed"),
    7: ("b_row_vector", "Flo"),
    8: ("d_sigmoid", "Gus"),
    9: ("d_tanh", "Hal"),
    10: ("d_temperature_2", "Ida"),
    11: ("d_softmax_neg", "Jo"),
    12: ("d_wrong_axis", "Kim"),
    13: ("d_identity", "Lu"),
    14: ("e_argmax_onehot", "Mo"),
    15: ("a_wrong", "Ned"),
    16: ("syntax_error", "Oz"),
}
#: check id -> {mistake key: the submissions that make it}, as each sample's docstring says.
MISTAKES = {
    "b.random_weights": {"b.forward_product": {"3"}, "b.reversed_order": {"4"}, "b.recurrent_weight": {"5"},
                         "b.stops_at_state": {"6"}},
    "d.random_inputs": {"d.sigmoid": {"8"}, "d.tanh": {"9"}, "d.temperature": {"10"}, "d.reversed_ranking": {"11"},
                        "d.wrong_axis": {"12"}, "d.identity": {"13"}},
    "e.generation": {"e.one_hot_choice": {"14"}},
}


def write_export(path, students):
    """A Gradescope "Export Submissions" zip of ``students`` (number -> (sample, name))."""
    metadata = "".join(
        f"submission_{number}:\n  :submitters:\n  - :name: {json.dumps(name)}\n    :sid: '{number:03d}'\n"
        f"    :email: s{number}@example.edu\n"
        for number, (_, name) in students.items()
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("assignment_1_export/submission_metadata.yml", metadata)
        for number, (sample, _) in students.items():
            for file in sorted((SUBMISSIONS / sample).iterdir()):
                if file.name != "expected.yaml":
                    archive.write(file, f"assignment_1_export/submission_{number}/{file.name}")
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("summary")
    export = write_export(folder / "export.zip", STUDENTS)
    report = run_batch(export, folder / "out", jobs=2, progress_stream=io.StringIO())
    return report, folder / "out"


def results_of(out):
    return {path.stem: json.loads(path.read_text()) for path in (out / "results").iterdir()}


def test_analytics_match_a_point_biserial_computed_from_the_results(graded):
    report, out = graded
    results = results_of(out)
    statuses = {row.submission_id: row.status for row in report.rows}
    ran = sorted(i for i, status in statuses.items() if status in ("graded", "timed out"))
    assert len(ran) == len(STUDENTS) - 1, "every sample but syntax_error runs"
    by_id = {c.check_id: c for c in report.summary.checks}
    for check_id in ("b.random_weights", "d.random_inputs", "a.exam_shapes"):
        scores, rests = [], []
        for submission in ran:
            test = next(t for t in results[submission]["tests"] if t["extra_data"]["check"] == check_id)
            scores.append(test["score"] / test["max_score"])
            rests.append(results[submission]["score"] - test["score"])
        stats = by_id[check_id]
        assert stats.ran == len(ran)
        assert stats.failed == sum(score < 1 for score in scores)
        if set(scores) <= {0.0, 1.0}:  # dichotomous: the textbook point-biserial formula
            p = statistics.fmean(scores)
            m1 = statistics.fmean(r for r, s in zip(rests, scores) if s == 1)
            m0 = statistics.fmean(r for r, s in zip(rests, scores) if s == 0)
            expected = (m1 - m0) / statistics.pstdev(rests) * math.sqrt(p * (1 - p))
        else:  # a_wrong earns a third of (a): Pearson's r, written out
            ms, mr = statistics.fmean(scores), statistics.fmean(rests)
            covariance = sum((s - ms) * (r - mr) for s, r in zip(scores, rests))
            expected = covariance / math.sqrt(sum((s - ms) ** 2 for s in scores) * sum((r - mr) ** 2 for r in rests))
        assert stats.discrimination == pytest.approx(expected, abs=1e-9), check_id
        assert f"| {stats.failed} ({100 * stats.failed / len(ran):.0f}%) |" in (out / "summary.md").read_text()
        assert f"{expected:+.2f}" in (out / "summary.md").read_text()
    # hand-checked: (b) is failed by the five b_* samples, (d) by the six d_* samples
    assert by_id["b.random_weights"].failed == 5 and by_id["d.random_inputs"].failed == 6
    assert by_id["c.exam_shapes"].failed == 0 and by_id["c.exam_shapes"].discrimination is None


def test_recognised_mistakes_are_counted_with_who_made_them(graded):
    report, out = graded
    by_id = {c.check_id: c for c in report.summary.checks}
    for check_id, mistakes in MISTAKES.items():
        assert {key: set(ids) for key, ids in by_id[check_id].mistakes} == mistakes, check_id
    assert by_id["b.random_weights"].unrecognised == ("7",), "b_row_vector's answer is not a known mistake"
    # the zero-point checks are apart, with their own counts
    assert "b.random_weights" not in {c.check_id for c in report.summary.zero_point}
    zero = {c.check_id: c for c in report.summary.zero_point}
    assert dict(zero["d.other_sizes"].mistakes)["d.temperature"] == ("10",)
    markdown = (out / "summary.md").read_text()
    assert "- `b.forward_product` (1): 3 (Bo Li, Jr.)" in markdown
    assert markdown.index("## Zero-point checks") > markdown.index("## Item analytics")
    # results.json records the key for course staff; the student reads only the message
    test = next(t for t in results_of(out)["3"]["tests"] if t["extra_data"]["check"] == "b.random_weights")
    assert test["extra_data"]["mistake"] == "b.forward_product"
    assert "forward_product" not in test["output"] and "W_sx W_o g" in test["output"]
    row = next(row for row in report.rows if row.submission_id == "14")
    assert row.check_scores["e.generation"] == 0.5 and row.mistakes["e.generation"] == "e.one_hot_choice"


def test_full_marks_have_a_bin_of_their_own(graded):
    report, out = graded
    *below, full = report.summary.histogram
    assert full == (12, 12, 2), "correct and correct_lists"
    assert below[11] == (11, 12, 1), "e_argmax_onehot's 11 only"
    assert below[0] == (0, 1, 1) and len(below) == 12
    markdown = (out / "summary.md").read_text()
    assert "| 12 (full marks) | 2 " in markdown and "| [11, 12) | 1 " in markdown


def test_lists_of_what_did_not_grade_and_links(graded):
    _, out = graded
    markdown = (out / "summary.md").read_text()
    section = markdown.split("## Import failed (1)")[1].split("##")[0]
    assert "16 (Oz): Your module has a syntax error" in section
    page = (out / "summary.html").read_text()
    assert '<a href="results/16.json">' in page and '<a href="logs/16.txt">log</a>' in page
    assert '<a href="logs/1.txt">' not in page, "no link to a log that does not exist"
    assert (out / "logs" / "16.txt").is_file() and not (out / "logs" / "1.txt").exists()
    assert "sha256" in markdown and "Seed: public" in markdown and "rubric.yaml" in markdown


def test_every_student_string_is_escaped(graded):
    report, out = graded
    page = (out / "summary.html").read_text()
    parsed = _Elements()
    parsed.feed(page)
    assert parsed.tags["script"] == 1, "the page's own script, and no student's"
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert not parsed.external, "nothing fetched"
    assert HOSTILE in parsed.texts, "the name is shown as it is, as text"
    markdown = (out / "summary.md").read_text()
    assert "<script>" not in markdown and "**Eve**" not in markdown
    assert r'\<script\>alert("x")\</script\> \| \*\*Eve\*\* \_x\_ \[a\](http://x) \`c\`' in markdown
    table = markdown.split("## Submissions")[1].strip().splitlines()
    columns = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
    assert len(columns) == 1, "no name or detail adds a column to the table"


def test_a_partial_run_has_a_banner_at_the_top(graded):
    report, _ = graded
    rubric = grading.load()
    partial = summarize(report.rows, rubric, warnings=["Partial: interrupted after 16 of 40 submissions. Resume."])
    assert to_markdown(partial).startswith("> **Partial: interrupted after 16 of 40 submissions. Resume.**")
    page = to_html(partial)
    assert page.index('class="banner"') < page.index("<h1>")


# -- in a real browser ----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium here: install Debian's package (apt-get install chromium) to render the summary"
)


def chromium(*arguments, tmp_path):
    command = [CHROMIUM, "--headless", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}", *arguments]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its own sandbox
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def students_in(dom):
    """``(submission id, total, hidden)`` of each row of the page's #students table, in order."""
    table = dom.split('id="students"')[1].split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr([^>]*)>(.*?)</tr>", table, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row[1], flags=re.S)
        if cells:
            rows.append((cells[0], float(cells[-3]), "hidden" in row[0]))
    return rows


@needs_chromium
def test_the_script_sorts_and_filters_in_chromium(graded, tmp_path):
    _, out = graded
    page = (out / "summary.html").as_uri()
    as_written = students_in((out / "summary.html").read_text())
    assert [i for i, _, _ in as_written][:3] == ["1", "2", "3"], "by submission id"
    by_total = students_in(chromium("--dump-dom", f"{page}#sort=total", tmp_path=tmp_path))
    totals = [total for _, total, _ in by_total]
    assert totals == sorted(totals) and by_total[0][0] == "16", "sorted by the script: syntax_error's 0 first"
    descending = students_in(chromium("--dump-dom", f"{page}#sort=total&desc", tmp_path=tmp_path))
    assert [t for _, t, _ in descending] == sorted(totals, reverse=True)
    searched = students_in(chromium("--dump-dom", f"{page}#q=p%C3%A9rez", tmp_path=tmp_path))
    assert [i for i, _, hidden in searched if not hidden] == ["2"]
    dom = chromium("--dump-dom", page, tmp_path=tmp_path)
    assert dom.count("<svg") >= 7 and 'id="histogram"' in dom and "<table" in dom
    assert "<script>alert" not in dom


@needs_chromium
def test_the_page_renders_with_a_banner_at_its_top(graded, tmp_path):
    report, _ = graded
    partial = summarize(report.rows, grading.load(), warnings=["Partial: interrupted after 16 of 40 submissions."])
    page = tmp_path / "summary.html"
    page.write_text(to_html(partial), encoding="utf-8")
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1200,2000", "--hide-scrollbars", page.as_uri(), tmp_path=tmp_path)
    width, height, rows = png_top_rows(shot.read_bytes(), 120)
    assert (width, height) == (1200, 2000)
    banner = (0xC6, 0x28, 0x28)
    reds = [y for y, row in enumerate(rows) if sum(pixel == banner for pixel in row) > width // 2]
    assert reds and reds[0] < 60, "the banner's colour spans the page within its top 60 pixels"
    assert any(len(set(row)) > 1 for row in rows[reds[-1] + 1:]), "and the page goes on below it"


def png_top_rows(data, count):
    """``(width, height, rows)``: the first ``count`` rows of an 8-bit RGB(A) PNG as lists
    of (r, g, b) tuples (PNG's five row filters, undone)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompressobj().decompress(idat, (stride + 1) * count)
    previous, rows = bytearray(stride), []
    for y in range(count):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.external, self.texts = {}, [], set()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.external += [v for k, v in attrs if k in ("src", "href") and v and (":" in v or v.startswith("//"))]

    def handle_data(self, data):
        self.texts.add(data)
