"""``python -m autograder batch EXPORT --out DIR``: grade every submission of an export.

EXPORT is Gradescope's "Export Submissions" zip, that zip unzipped, or a plain folder
with one sub-folder or file per student (see :mod:`autograder.export`). DIR receives::

    scores.csv            one row per student (a group's submission once for each member,
                          with the group's id): submission id, group, name, sid, email,
                          whether they submitted, the folder's name in the export, points
                          per part, total, status (graded, timed out, import failed,
                          no submission, error) and a short detail
    gradebook.csv         the totals in Canvas's gradebook import format
    results/<id>.json     the results.json Gradescope would have shown that student
    logs/<id>.txt         for course staff, when a submission did not simply grade
    summary.md            statuses, per-part means and distributions, the most common
    summary.html          failing checks, a histogram of totals (inline SVG)
    batch.json, rows.jsonl
                          the journal: what the batch is, and each row as it finished
                          (:mod:`autograder.batch.journal`)

``shard=Shard(K, N)`` grades only the K-th of N slices of the export (by a hash of each
submission's id), and :func:`merge` combines the outputs of all N into one, the same as
a batch of the whole export on one machine.

Each submission is graded by :func:`autograder.grading.grade`, exactly as
``python -m autograder grade`` and run_autograder grade it, in ``jobs`` grader
processes (:mod:`autograder.batch.pool`). One broken, slow or hostile submission never
stops the batch.
"""

import contextlib
import dataclasses
import datetime
import os
import shutil
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path

from autograder import grading, scoring_seed
from autograder.batch import compare
from autograder.batch.journal import Journal, JournalError, Shard, check_shards, journal_paths, read_journal, rubric_digest
from autograder.batch.pool import GraderFailed, GraderPool
from autograder.batch.progress import Progress
from autograder.batch.scores import write_csv, write_gradebook
from autograder.batch.summary import summarize, to_html, to_markdown
from autograder.export import ExportError, read_export
from autograder.results import write_atomically
from autograder.sandbox import isolation

#: Beyond the sandbox's own limits, the time a grader may spend on one submission.
GRADER_MARGIN_SECONDS = 60
__all__ = ["BatchReport", "GraderFailed", "JournalError", "OutputInUse", "Shard", "default_jobs", "max_jobs", "merge", "run_batch"]

#: What a batch writes into DIR, and removes from an earlier batch there.
OUTPUTS = ("results", "logs", "scores.csv", "gradebook.csv", "summary.md", "summary.html", "compare.csv", *journal_paths())
#: Grader processes beyond this many per processor only take turns (each holds about 120 MiB).
MAX_JOBS_PER_PROCESSOR = 1


@dataclasses.dataclass(frozen=True)
class BatchReport:
    rows: tuple
    summary: object
    out_dir: Path
    interrupted: bool = False


def default_jobs():
    """The processors this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def max_jobs():
    """The most grader processes a batch runs here: one per processor this process may use."""
    return default_jobs() * MAX_JOBS_PER_PROCESSOR


class OutputInUse(ExportError):
    """``--out`` holds a batch that neither ``resume`` nor ``force`` allows to replace."""


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP reached the batch: it stops as it does for Ctrl-C."""


@contextlib.contextmanager
def _stopping_on_signals():
    """SIGTERM and SIGHUP (a closed terminal, a dropped ssh session) stop the batch as
    Ctrl-C does: the graders and every student process end, the temporary files go, and
    the rows graded so far are written out."""

    def stop(number, frame):
        raise Stopped(signal.Signals(number).name)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _earlier_rows(out_dir, meta, *, resume, force):
    """The rows an earlier run of this batch already graded into ``out_dir``, to keep
    (``resume``), or none; raises OutputInUse where neither flag allows going on."""
    if not (out_dir / journal_paths()[0]).exists():
        if resume:
            raise OutputInUse(f"--resume: {out_dir} holds no batch to resume.")
        return []
    if force and not resume:
        return []
    try:
        earlier, rows = read_journal(out_dir)
    except JournalError as error:
        raise OutputInUse(f"{error} Use --force to grade into it anew.") from None
    if not resume:
        done = "a complete batch" if len(rows) >= earlier.get("submissions", 0) else (
            f"a batch that stopped after {len(rows)} of {earlier.get('submissions')} submissions")
        raise OutputInUse(
            f"{out_dir} holds {done}. Use --resume to go on with it, or --force to replace it."
        )
    for key in ("rubric_sha256", "seed_sha256", "export_submissions", "shard"):
        if earlier.get(key) != meta[key]:
            raise OutputInUse(
                f"--resume: {out_dir} was graded with another {key.split('_')[0]} than this batch's; use --force to replace it."
            )
    results = out_dir / "results"
    return [row for row in rows if (results / f"{row.submission_id}.json").exists()]


def run_batch(
    export_path, out_dir, *, jobs=None, rubric_path=None, seed=None, progress_stream=sys.stderr,
    shard=None, resume=False, force=True, compare_with=None,
):
    """Grade every submission of the export at ``export_path`` (of its ``shard``, a
    :class:`~autograder.batch.journal.Shard`, when given) into ``out_dir``, drawing with
    the secret ``seed`` (a :class:`~autograder.scoring_seed.Seed`; None: the rubric's public seed),
    under the rubric at ``rubric_path`` (None: the default question's).

    ``out_dir`` may hold an earlier run of the batch: ``resume`` keeps the rows it
    finished and grades the rest; ``force`` replaces it; with neither, it is an error
    (:class:`OutputInUse`). The command line leaves ``force`` off; callers in Python get it on.

    ``compare_with``, the folder of an earlier batch of the export, adds the regrade diff
    (:mod:`autograder.batch.compare`) to the summary and writes it as ``compare.csv``.

    Raises :class:`~autograder.rubric.RubricError` for an invalid rubric,
    :class:`~autograder.export.ExportError` for an export that cannot be read, and
    :class:`~autograder.batch.pool.GraderFailed` when no grader process can start, and
    :class:`~autograder.batch.journal.JournalError` when ``compare_with`` holds no batch.
    """
    started = time.monotonic()
    rubric = grading.load(rubric_path)
    earlier = _earlier_batch(compare_with, out_dir)
    jobs = jobs or default_jobs()
    out_dir = Path(out_dir)
    export = Path(export_path).resolve()
    if export.is_dir() and (out_dir.resolve() == export or export in out_dir.resolve().parents):
        raise ExportError(f"--out {out_dir} is inside the export {export_path}: choose a folder outside it.")
    # No Landlock rule of a worker may reach the export or the results, wherever they lie
    # (see autograder.sandbox.isolation.private_paths); the grader processes inherit this.
    os.environ["AUTOGRADER_PRIVATE"] = os.pathsep.join(str(p) for p in (export, out_dir.resolve()))
    with _stopping_on_signals(), _scratch_folder() as (scratch, left_behind):
        export = read_export(export_path, scratch)
        if not export.submissions:
            raise ExportError(f"{export_path} holds no submissions (no sub-folder or file per student).")
        submissions = [s for s in export.submissions if shard is None or shard.holds(s.submission_id)]
        meta = {
            "rubric": str(rubric.path),
            "rubric_sha256": rubric_digest(rubric.path),
            "seed_sha256": (seed or scoring_seed.public(rubric.seed)).sha256,  # shards of one batch share it
            "seed": "secret" if seed is not None else "public",
            "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            # each check's points, so that a regrade diff shows points where a weight changed
            "check_weights": {rule.check_id: rule.weight for _, rule in rubric.checks},
            "export": str(export_path),
            "export_submissions": len(export.submissions),
            "shard": [shard.index, shard.count] if shard else None,
            "submissions": len(submissions),
            "warnings": list(export.warnings),
        }
        rows = _earlier_rows(out_dir, meta, resume=resume, force=force)
        _prepare(out_dir, keep=bool(rows))
        done = {row.submission_id for row in rows}
        todo = [s for s in submissions if s.submission_id not in done]
        limits = rubric.limits
        time_limit = limits.import_timeout + limits.total_timeout + GRADER_MARGIN_SECONDS
        progress = Progress(len(todo), progress_stream)
        interrupted, journal_failures = False, []
        try:
            with Journal(out_dir, meta, rows) as journal, GraderPool(
                jobs, rubric.path, out_dir, time_limit=time_limit, seed=seed
            ) as pool:
                journal_failures = journal.failures
                for row in pool.grade(todo):
                    journal.append(row)
                    rows.append(row)
                    progress.update(row)
        except KeyboardInterrupt:
            interrupted = True
        progress.finish()
    warnings = [*export.warnings, *left_behind, *journal_failures]
    if shard is not None:
        warnings.insert(0, f"Shard {shard} of the export: {len(submissions)} of its {len(export.submissions)} submissions.")
    if interrupted:
        warnings.insert(
            0,
            f"Partial: interrupted after {len(rows)} of {len(submissions)} submissions. "
            "Run the same command with --resume to grade the rest.",
        )
    comparison = None
    if earlier is not None:
        comparison = compare.compare_rows(earlier, (meta, rows), old=str(compare_with), new=str(out_dir))
        compare.write_csv(out_dir / "compare.csv", comparison)
    summary = summarize(
        rows, rubric, warnings=warnings, seconds=time.monotonic() - started, jobs=jobs, meta=meta, out_dir=out_dir,
        comparison=comparison,
    )
    _write_tables(out_dir, rows, rubric, summary)
    return BatchReport(tuple(rows), summary, out_dir, interrupted)


@contextlib.contextmanager
def _scratch_folder():
    """A temporary folder for the unpacked export, and a list that says, after the
    ``with``, what of it could not be removed: removing it never raises (a tree deeper
    than the recursion limit, a file the disk will not let go), so the rows graded
    still reach scores.csv."""
    left_behind = []
    scratch = tempfile.mkdtemp(prefix="autograder-batch-")
    try:
        yield scratch, left_behind
    finally:
        isolation.remove_tree(scratch)
        if os.path.lexists(scratch):
            left_behind.append(f"The temporary folder {scratch} could not be removed entirely; delete it by hand.")


def _earlier_batch(compare_with, out_dir):
    """The journal ``(meta, rows)`` of the batch to compare with, read before grading so
    that a wrong folder is said at once; None without one."""
    if compare_with is None:
        return None
    if Path(compare_with).resolve() == Path(out_dir).resolve():
        raise JournalError(f"--compare {compare_with} is the --out folder: compare with an earlier batch's folder.")
    return read_journal(compare_with)


def _write_tables(out_dir, rows, rubric, summary):
    write_csv(out_dir / "scores.csv", rows, [part.label for part in rubric.parts])
    write_gradebook(out_dir / "gradebook.csv", rows, rubric.title, rubric.total_points)
    write_atomically(out_dir / "summary.md", to_markdown(summary))
    write_atomically(out_dir / "summary.html", to_html(summary))


def merge(out_dir, shard_dirs, *, rubric_path=None):
    """Combine the outputs of every shard of one batch (``shard_dirs``) into ``out_dir``:
    its results and logs, one ``scores.csv`` and one summary, as one batch of the whole
    export would have written them. Raises :class:`~autograder.batch.journal.JournalError`
    when the folders are not every shard of one batch, each complete."""
    started = time.monotonic()
    folders = [Path(folder) for folder in shard_dirs]
    out_dir = Path(out_dir)
    if any(out_dir.resolve() == folder.resolve() for folder in folders):
        raise JournalError(f"--out {out_dir} is one of the shards: merge into a new folder.")
    journals = [read_journal(folder) for folder in folders]
    check_shards(journals, folders)
    first = journals[0][0]
    rubric = grading.load(rubric_path or first["rubric"])
    if rubric_digest(rubric.path) != first["rubric_sha256"]:
        raise JournalError(f"{rubric.path} is not the rubric the shards were graded with (it changed since?).")
    _prepare(out_dir)
    rows = [row for _, shard_rows in journals for row in shard_rows]
    for folder in folders:
        for kind in ("results", "logs"):
            if (folder / kind).is_dir():
                (out_dir / kind).mkdir(exist_ok=True)
                for path in (folder / kind).iterdir():
                    shutil.copyfile(path, out_dir / kind / path.name, follow_symlinks=False)
    meta = {**first, "shard": None, "submissions": len(rows), "merged_from": [str(f) for f in folders]}
    with Journal(out_dir, meta) as journal:
        for row in rows:
            journal.append(row)
    summary = summarize(
        rows, rubric, warnings=first.get("warnings", ()), seconds=time.monotonic() - started, jobs=1, meta=meta,
        out_dir=out_dir,
    )
    _write_tables(out_dir, rows, rubric, summary)
    return BatchReport(tuple(rows), summary, out_dir)


def _prepare(out_dir, keep=False):
    """Create ``out_dir``, removing what an earlier batch wrote there (and nothing else),
    unless it is to be resumed (``keep``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in () if keep else OUTPUTS:
        path = out_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    (out_dir / "results").mkdir(exist_ok=True)
    # Under Landlock the workers cannot reach --out at all; without it (an old kernel,
    # --allow-unconfined), file modes still keep the sandbox user out of others' results.
    for folder in (out_dir, out_dir / "results"):
        os.chmod(folder, stat.S_IMODE(folder.stat().st_mode) & 0o750)
