"""The command line: ``python -m autograder COMMAND``.

``grade PATH``      grade one submission (a .py file or a folder) and print the report
``gradescope``      what run_autograder calls on Gradescope: read the submission under
                    $AUTOGRADER_ROOT, write results/results.json
``lint [RUBRIC]``   validate a rubric and print its parts, checks, points and visibility
``batch EXPORT``    grade every submission of a Gradescope export (or a folder of them)
                    into scores.csv, one results.json each and a summary; ``--shard K/N``
                    grades the K-th of N slices, for one machine of several
``merge SHARD...``  combine the outputs of every shard of a batch into one
``compare OLD NEW`` the regrade diff of two batches: whose total changed, by how much, why
``build``           write the autograder zip to upload to Gradescope
``student-kit``     write the students' kit: handout, template and a self-check of the
                    rubric's visible checks
"""

import argparse
import json
import os
import sys
import time
import traceback
import zipfile
from pathlib import Path

from autograder import build as building
from autograder import grading
from autograder import question as questions
from autograder import scoring_seed
from autograder.outcomes import failure_results
from autograder.question import QuestionError
from autograder.report import format_for_terminal
from autograder.results import ReservedResults
from autograder.rubric import RubricError
from autograder.sandbox import lock_down_gradescope
from autograder.scoring_seed import SeedError
from autograder.terminal import printable

# batch, merge, compare, student-kit and lint import their packages when they run:
# grading one submission (run_autograder's path) then loads none of them.

SECRET_FROM_HELP = (
    "score with the secret seed of this autograder zip (or the .scoring-seed file build wrote beside it), "
    "as Gradescope does; without it the rubric's public seed, the student kit's, draws the inputs"
)
GRADING_UNFINISHED = "Grading did not finish (the grader was stopped before it could write your results)."
QUESTION_HELP = (
    "the question: a folder name under questions/ ({known}), a question's folder, or its rubric.yaml "
    "(default: the one questions/default.txt names, or the one --rubric lies in)"
)
UNCONFINED = (
    "this kernel offers no Landlock (Linux 5.13 or newer, with landlock among its security modules), "
    "so student code would run without a file-system border and could read whatever {who} can read{also}"
)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission and print a per-part report")
    grade.add_argument("path", type=Path, help="the student's .py file, or a folder holding their files")
    _add_question(grade)
    grade.add_argument("--json", type=Path, metavar="OUT", help="also write the results.json Gradescope would get")
    grade.add_argument("--secret-from", type=Path, metavar="ZIP", help=SECRET_FROM_HELP)

    gradescope = commands.add_parser("gradescope", help="the Gradescope entry point used by run_autograder")
    gradescope.add_argument(
        "--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")),
        help="Gradescope's folder (default: $AUTOGRADER_ROOT or /autograder)",
    )
    _add_question(gradescope)

    lint = commands.add_parser("lint", help="validate a rubric and print its checks as a table")
    lint.add_argument("rubric", type=Path, nargs="?", default=None, help="rubric YAML (default: the question's)")
    lint.add_argument("--question", metavar="NAME", help=QUESTION_HELP.format(known=", ".join(questions.names())))

    batch = commands.add_parser("batch", help="grade every submission of an export into scores.csv and a summary")
    batch.add_argument(
        "export", type=Path,
        help="Gradescope's \"Export Submissions\" zip, that zip unzipped, or a folder with one sub-folder or file per student",
    )
    batch.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for scores.csv, results/ and the summary")
    batch.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="grader processes side by side (default: one per processor)"
    )
    _add_question(batch)
    batch.add_argument("--secret-from", type=Path, metavar="ZIP", help=SECRET_FROM_HELP)
    batch.add_argument(
        "--shard", type=_shard, default=None, metavar="K/N",
        help="grade only the K-th of N slices of the export (by a hash of each submission's id); "
        "combine the N outputs with `merge`",
    )
    again = batch.add_mutually_exclusive_group()
    again.add_argument(
        "--resume", action="store_true",
        help="go on with the batch in --out where it stopped (same export, rubric and shard): keep its rows, grade the rest",
    )
    again.add_argument("--force", action="store_true", help="replace the batch --out holds")
    batch.add_argument("--compare", type=Path, metavar="OLD_OUT", help=COMPARE_HELP)
    batch.add_argument(
        "--allow-unconfined", action="store_true",
        help="grade even where the kernel offers no file-system border (Landlock): student code could then "
        "read whatever the grading user can, classmates' submissions included",
    )

    merge = commands.add_parser("merge", help="combine the outputs of every shard of a batch into one")
    merge.add_argument("shards", type=Path, nargs="+", metavar="SHARD_DIR", help="the --out folder of each shard")
    merge.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the combined outputs")
    merge.add_argument("--rubric", type=Path, default=None, help="rubric YAML (default: the one the shards used)")

    add_compare_command(commands)

    build = commands.add_parser("build", help="write the autograder zip to upload to Gradescope")
    build.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write (default: %(default)s)")
    build.add_argument("--question", metavar="NAME", help=QUESTION_HELP.format(known=", ".join(questions.names())))
    build.add_argument(
        "--rubric", type=Path, default=None,
        help="the rubric YAML Gradescope grades with, zipped in the place of the question's rubric.yaml (default: that one)",
    )
    build.add_argument(
        "--secret-from", type=Path, metavar="ZIP",
        help="keep the scoring seed of this earlier zip (or its .scoring-seed file) instead of creating a new one, "
        "so that regrades score as before",
    )

    kit = commands.add_parser(
        "student-kit", help="write the students' kit: the handout, the template and a self-check of the visible checks"
    )
    kit.add_argument("--out", type=Path, default=Path("kit.zip"), help="the zip to write (default: %(default)s)")
    _add_question(kit)

    args = parser.parse_args(argv)
    handlers = {
        "grade": command_grade, "lint": command_lint, "batch": command_batch, "merge": command_merge,
        "compare": command_compare, "build": command_build, "student-kit": command_student_kit,
        "gradescope": command_gradescope,
    }
    misplaced = _misplaced_output(args)
    if misplaced:
        return _error(misplaced)
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:  # where the command does not handle Ctrl-C itself (a batch unzipping its export, say)
        print("autograder: interrupted", file=sys.stderr)
        return 130
    except OSError as error:  # a file the command could not read or write: where and why, not a traceback
        where = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
        return _error(f"{where}: {error.strerror or error}" if where else str(error))


def _error(message):
    """Say what is wrong in one line, safe to print; the exit status of a command line error."""
    print(printable(f"autograder: error: {message}"), file=sys.stderr)
    return 2


#: Per command, its options that name a file to write, and those that name a folder to write into.
FILE_OUTPUTS = {"grade": ("json",), "build": ("out",), "student-kit": ("out",), "compare": ("out",)}
FOLDER_OUTPUTS = {"batch": ("out",), "merge": ("out",)}


def _misplaced_output(args):
    """Why an output option names what the command cannot write (a folder for a file, a
    file for a folder), or "": said before any work rather than after it."""
    for option in FILE_OUTPUTS.get(args.command, ()):
        path = getattr(args, option)
        if path is not None and path.is_dir():
            return f"--{option} {path} is a folder: give the file to write"
    for option in FOLDER_OUTPUTS.get(args.command, ()):
        path = getattr(args, option)
        if path is not None and path.exists() and not path.is_dir():
            return f"--{option} {path} is a file: give a folder (it is created if need be)"
    return ""


def _add_question(command):
    """``--question`` and ``--rubric``: which question to grade, and with which rubric."""
    command.add_argument("--question", metavar="NAME", help=QUESTION_HELP.format(known=", ".join(questions.names())))
    command.add_argument(
        "--rubric", type=Path, default=None, help="rubric YAML (default: the question's rubric.yaml)"
    )


def _chosen(args):
    """``(question, rubric path)`` that ``--question`` and ``--rubric`` name. Raises QuestionError."""
    question = questions.find(args.question) if getattr(args, "question", None) else None
    rubric = getattr(args, "rubric", None)
    if rubric is None:
        question = question if question is not None else questions.default()
        return question, question.rubric_path
    return questions.of_rubric(rubric, question), rubric


def _load(args):
    """The rubric ``--question`` and ``--rubric`` name, validated. Raises RubricError, QuestionError."""
    question, rubric = _chosen(args)
    return grading.load(rubric, question)


def _without_file_system_border(also=""):
    """Why student code would run without a file-system border here, or "" if it would not."""
    from autograder.sandbox.confine import landlock_abi  # here: the Gradescope entry point needs none of it

    if landlock_abi() >= 1:
        return ""
    return UNCONFINED.format(who="you" if os.geteuid() else "the sandbox user", also=f", {also}" if also else "")


def _shard(text):
    from autograder import batch as batching

    try:
        return batching.Shard.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def command_batch(args):
    from autograder import batch as batching
    from autograder.batch import compare as comparing
    from autograder.export import ExportError

    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs > batching.max_jobs():
        print(
            f"warning: --jobs {args.jobs} is more than the {batching.max_jobs()} processors this batch may use; "
            f"using {batching.max_jobs()} (more grader processes would only take turns, at about 120 MiB each).",
            file=sys.stderr,
        )
        args.jobs = batching.max_jobs()
    reason = _without_file_system_border(also="classmates' submissions included")
    if reason:
        if not args.allow_unconfined:
            print(f"error: {reason}. Grade on a newer kernel, or pass --allow-unconfined to accept this.", file=sys.stderr)
            return 2
        print(f"warning: {reason} (--allow-unconfined).", file=sys.stderr)
    try:
        seed = _secret_seed(args)
    except SeedError as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    try:
        question, rubric_path = _chosen(args)
    except QuestionError as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    if questions.of_rubric(rubric_path) != question:  # the graders find a question by its rubric's folder
        print(printable(f"error: {rubric_path} grades another question than {question.name}: put it in "
                        f"{question.folder}, or name that question's own rubric"), file=sys.stderr)
        return 2
    print(_seed_line(seed))
    try:
        report = batching.run_batch(
            args.export, args.out, jobs=args.jobs, rubric_path=rubric_path, seed=seed, shard=args.shard,
            resume=args.resume, force=args.force, compare_with=args.compare,
        )
    except RubricError as error:
        print(f"error: the rubric is invalid: {error}", file=sys.stderr)
        return 2
    except QuestionError as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except batching.JournalError as error:  # --compare names no batch
        print(printable(f"error: --compare: {error}"), file=sys.stderr)
        return 2
    except batching.GraderFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for warning in report.summary.warnings:
        print(f"warning: {printable(warning)}", file=sys.stderr)
    _print_written(report, "", ("compare.csv",) if args.compare else ())
    if report.summary.comparison is not None:
        print(printable(comparing.describe(report.summary.comparison)))
    return 130 if report.interrupted else 0


def _secret_seed(args):
    """The secret seed ``--secret-from`` names, or None. Raises SeedError."""
    return scoring_seed.read(args.secret_from) if args.secret_from is not None else None


def _seed_line(seed):
    return (seed or scoring_seed.public(0)).described


def command_merge(args):
    from autograder import batch as batching

    try:
        report = batching.merge(args.out, args.shards, rubric_path=args.rubric)
    except (batching.JournalError, RubricError, QuestionError) as error:
        print(f"error: {printable(str(error))}", file=sys.stderr)
        return 2
    _print_written(report, f" from {len(args.shards)} shards")
    return 0


def _print_written(report, source, extra=()):
    """What a batch (or a merge of shards, ``source``) graded, and the files it wrote."""
    statuses = ", ".join(f"{count} {status}" for status, count in report.summary.statuses)
    print(f"{report.summary.submissions} submissions{source}: {statuses}")
    for name in ("scores.csv", "gradebook.csv", "results/", "summary.md", "summary.html", *extra):
        print(printable(f"wrote {report.out_dir / name}"))


COMPARE_HELP = (
    "an earlier batch's --out folder (of the same export, say before a rubric change): list in the summary and "
    "in compare.csv every submission whose total, status or checks changed"
)


def add_compare_command(commands):
    compare = commands.add_parser(
        "compare", help="the regrade diff of two batches: whose total changed, by how much, and which checks changed"
    )
    compare.add_argument("old", type=Path, metavar="OLD_OUT", help="the earlier batch's --out folder")
    compare.add_argument("new", type=Path, metavar="NEW_OUT", help="the later batch's --out folder")
    compare.add_argument("--out", type=Path, metavar="DIFF.csv", help="also write the changes as CSV")


def command_compare(args):
    """Print the submissions two batches graded differently; exit 2 if either is no batch."""
    from autograder import batch as batching
    from autograder.batch import compare as comparing

    try:
        comparison = comparing.compare(args.old, args.new)
    except batching.JournalError as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    print(printable(comparing.describe(comparison)))
    for change in comparison.changes:
        names = "; ".join(p.name for p in change.submitters)
        before = "-" if change.old_total is None else f"{change.old_total:g}"
        after = "-" if change.new_total is None else f"{change.new_total:g}"
        checks = "; ".join(str(check) for check in change.checks)
        print(printable(f"{change.submission_id}\t{names}\t{before} -> {after} ({change.delta:+g})\t{checks}"))
    if args.out is not None:
        try:
            comparing.write_csv(args.out, comparison)
        except OSError as error:
            print(printable(f"error: cannot write {args.out}: {error.strerror}"), file=sys.stderr)
            return 2
        print(printable(f"wrote {args.out}"))
    return 0


def command_build(args):
    try:
        question = questions.find(args.question) if args.question else questions.default()
        names = building.build(args.out, question, seed=_secret_seed(args), rubric=args.rubric)
    except (building.BuildError, SeedError, QuestionError) as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    copy = scoring_seed.copy_beside(args.out)
    print(f"wrote {args.out}: {len(names)} files; upload it as the assignment's autograder on Gradescope")
    with zipfile.ZipFile(args.out) as archive:
        manifest = json.loads(archive.read(building.MANIFEST))
    print(f"it grades with {args.rubric or manifest['rubric']} (sha256 {manifest['rubric_sha256'][:12]}…)")
    if manifest["manual_points"]:
        parts = ", ".join(f"({part['part']}) {part['title']}" for part in manifest["manual_parts"])
        print(
            f"it scores {manifest['autograded_points']:g} points; add a manual question of {manifest['manual_points']:g} "
            f"points on Gradescope for what staff grade by hand: {parts}"
        )
    print(f"wrote {copy}: its secret scoring seed, for grade and batch --secret-from; keep both from students")
    return 0


def command_student_kit(args):
    from autograder.kit.build import KitError, build_kit

    try:
        question, rubric_path = _chosen(args)
        names = build_kit(args.out, rubric_path, question)
    except (KitError, QuestionError) as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {len(names)} files; students unzip it and run: python check.py")
    return 0


def command_lint(args):
    from autograder import lint as linting

    try:
        question, rubric_path = _chosen(args)
    except QuestionError as error:
        print(printable(f"invalid question: {error}"), file=sys.stderr)
        return 2
    status, report = linting.lint(rubric_path, question)
    print(report, file=sys.stderr if status else sys.stdout)
    return status


def command_grade(args):
    reason = _without_file_system_border()
    if reason:
        print(f"warning: {reason}.", file=sys.stderr)
    if not args.path.exists():
        # The path and the log may hold what a student named or printed: written out, so that
        # no escape sequence acts on the terminal and no undecodable name stops the write.
        # Nothing was graded, so no results.json is written: one would tell a student that
        # staff had been told of a problem that is the command's.
        print(printable(f"error: {args.path} does not exist"), file=sys.stderr)
        return 2
    try:
        rubric = _load(args)
        seed = _secret_seed(args)
    except (RubricError, SeedError, QuestionError) as error:
        what = {RubricError: "the rubric is invalid", SeedError: "no secret seed"}.get(type(error), "no such question")
        print(printable(f"error: {what}: {error}"), file=sys.stderr)
        return 2
    if seed is not None:
        rubric = rubric.scored_with(seed)
    graded = grading.grade(args.path, rubric)
    print(_seed_line(seed))
    print(format_for_terminal(graded.results))
    if graded.instructor_log:
        print(printable("\n## For course staff\n\n" + graded.instructor_log), file=sys.stderr)
    if args.json:
        graded.results.write(args.json)
        print(printable(f"\nwrote {args.json}"))
    return 0


def command_gradescope(args):
    """Always leaves a valid results.json; exits non-zero when the grader itself failed."""
    started = time.monotonic()
    destination = args.root / "results" / "results.json"
    try:
        if os.geteuid() == 0:
            lock_down_gradescope(args.root, grading.SOURCE_ROOT)
        # Before any student code runs: a valid results.json, and room for the real one.
        results = ReservedResults(destination, failure_results(GRADING_UNFINISHED))
    except OSError as error:
        print(f"autograder: cannot prepare {destination}: {error}")
        failure_results(GRADING_UNFINISHED, started).write(destination)
        return 1
    try:
        rubric = _load(args)
        seed = scoring_seed.in_source(grading.SOURCE_ROOT)
        if seed is not None:
            rubric = rubric.scored_with(seed)
        print(f"autograder: {_seed_line(seed)}")
        graded = grading.grade(args.root / "submission", rubric)
    except (RubricError, SeedError, QuestionError) as error:
        print(f"autograder: cannot grade: {error}")
        results.write(failure_results(f"The autograder is misconfigured: {error}", started))
        return 2
    except Exception:  # noqa: BLE001  the grader's own bug: report it, still write results
        trace = traceback.format_exc()
        print(f"autograder: internal error\n{trace}")
        results.write(failure_results("The autograder itself failed; this is not a problem with your code.", started))
        return 1
    print(graded.instructor_log or "autograder: graded without incident")
    results.write(graded.results)
    return 0

