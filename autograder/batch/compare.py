"""Regrade diffs: ``python -m autograder compare OLD NEW`` (or ``batch ... --compare OLD``).

Two batches of one export (typically before and after a rubric change) are compared row
by row, from each folder's journal (``rows.jsonl``, ``batch.json``): every submission
whose total, status, or any check's score or recognised mistake changed, by how much,
and which checks changed. :func:`write_csv` writes it for a spreadsheet; the batch's
summary shows it as a section.
"""

import csv
import dataclasses
from pathlib import Path

from autograder.batch.journal import read_journal
from autograder.batch.scores import by_submission_id, text_cell, written_points
from autograder.results import points

#: Scores closer than this are the same (rows keep four decimal places).
SAME = 1e-6


@dataclasses.dataclass(frozen=True)
class CheckChange:
    """One check that changed: ``before`` and ``after`` say its points (or its fraction,
    for a journal that does not record weights), its outcome and its recognised mistake."""

    check_id: str
    before: str
    after: str

    def __str__(self):
        return f"{self.check_id}: {self.before} → {self.after}"


@dataclasses.dataclass(frozen=True)
class Change:
    """A submission graded differently by the two batches (None: not in that batch)."""

    submission_id: str
    submitters: tuple
    old_total: object
    new_total: object
    old_status: str
    new_status: str
    checks: tuple  # CheckChange, in check id order

    @property
    def delta(self):
        return (self.new_total or 0.0) - (self.old_total or 0.0)


@dataclasses.dataclass(frozen=True)
class Comparison:
    old: str  # the folders compared
    new: str
    same_rubric: bool
    same_seed: bool
    compared: int  # submissions in both batches
    changes: tuple  # Change, sorted by submission id

    @property
    def total_changed(self):
        return sum(abs(change.delta) > SAME for change in self.changes)


def compare(old_dir, new_dir):
    """The :class:`Comparison` of the batches graded into ``old_dir`` and ``new_dir``.
    Raises :class:`~autograder.batch.journal.JournalError` when either is not a batch."""
    old_meta, old_rows = read_journal(old_dir)
    new_meta, new_rows = read_journal(new_dir)
    return compare_rows((old_meta, old_rows), (new_meta, new_rows), old=str(old_dir), new=str(new_dir))


def compare_rows(old_journal, new_journal, *, old="old", new="new"):
    """The :class:`Comparison` of two journals, each ``(meta, rows)`` as
    :func:`~autograder.batch.journal.read_journal` gives them."""
    (old_meta, old_rows), (new_meta, new_rows) = old_journal, new_journal
    before = {row.submission_id: row for row in old_rows}
    after = {row.submission_id: row for row in new_rows}
    old_weights, new_weights = old_meta.get("check_weights"), new_meta.get("check_weights")
    changes = []
    for submission_id in set(before) | set(after):
        was, now = before.get(submission_id), after.get(submission_id)
        checks = _check_changes(was, now, old_weights, new_weights)
        if (
            was is None or now is None or abs(was.total - now.total) > SAME or was.status != now.status or checks
        ):
            changes.append(
                Change(
                    submission_id=submission_id,
                    submitters=(now or was).submitters,
                    old_total=None if was is None else was.total,
                    new_total=None if now is None else now.total,
                    old_status="" if was is None else was.status,
                    new_status="" if now is None else now.status,
                    checks=checks,
                )
            )
    changes.sort(key=by_submission_id)  # by submission_id, as scores.csv
    return Comparison(
        old=old,
        new=new,
        same_rubric=old_meta.get("rubric_sha256") == new_meta.get("rubric_sha256"),
        same_seed=old_meta.get("seed_sha256") == new_meta.get("seed_sha256"),
        compared=len(set(before) & set(after)),
        changes=tuple(changes),
    )


def _check_changes(was, now, old_weights, new_weights):
    if was is None or now is None:
        return ()
    changed = []
    for check_id in sorted(set(was.check_scores) | set(now.check_scores)):
        old = _state(was, check_id, old_weights)
        new = _state(now, check_id, new_weights)
        if old[0] != new[0]:
            changed.append(CheckChange(check_id, old[1], new[1]))
    return tuple(changed)


def _state(row, check_id, weights):
    """``(comparable, text)`` of one check of ``row``: its points out of its weight where
    the journal records weights, else its fraction; its outcome; its mistake's key."""
    if check_id not in row.check_scores:
        return (None,), "not graded"
    fraction = row.check_scores[check_id]
    outcome = "passed" if fraction >= 1 - SAME else "failed" if fraction <= SAME else "partial"
    mistake = row.mistakes.get(check_id, "")
    if weights is not None and check_id in weights:
        weight = weights[check_id]
        earned = round(fraction * weight, 4)
        text = f"{written_points(earned)}/{written_points(weight)} {outcome}"
        comparable = (earned, round(fraction, 4), mistake)  # a weight alone, 0/2 -> 0/4, changes nobody's grade
    else:
        text = f"{fraction:.0%} {outcome}"
        comparable = (round(fraction, 4), mistake)
    return comparable, text + (f" ({mistake})" if mistake else "")


def _number(value):
    return "" if value is None else written_points(value)


def write_csv(path, comparison):
    """Write the changes of ``comparison`` as CSV, one row per changed submission."""
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["submission_id", "name", "sid", "old_total", "new_total", "change", "old_status", "new_status", "checks"]
        )
        for change in comparison.changes:
            writer.writerow(
                [
                    text_cell(change.submission_id),
                    text_cell("; ".join(p.name for p in change.submitters)),
                    text_cell("; ".join(p.sid for p in change.submitters)),
                    _number(change.old_total),
                    _number(change.new_total),
                    f"{points(change.delta):+g}",
                    change.old_status,
                    change.new_status,
                    "; ".join(str(check) for check in change.checks),
                ]
            )


def describe(comparison):
    """One line: how many submissions changed, and whether the rubric and seed did."""
    c = comparison
    what = []
    if not c.same_rubric:
        what.append("another rubric")
    if not c.same_seed:
        what.append("another scoring seed")
    graded = f" (graded with {' and '.join(what)})" if what else " (same rubric and seed)"
    return (
        f"{len(c.changes)} submissions differ between {Path(c.old).name or c.old} and "
        f"{Path(c.new).name or c.new}{graded}: {c.total_changed} changed total; {c.compared} are in both."
    )
