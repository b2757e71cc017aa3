"""What a batch has graded so far, on disk as it goes: ``batch.json`` says what the batch
is (rubric, export, shard) and ``rows.jsonl`` holds one :class:`~autograder.batch.scores.Row`
per line, appended as each submission finishes. ``merge`` combines the journals of a
batch's shards into one batch; an interrupted batch keeps every row it finished.

Rows are plain JSON (no pickle): a journal may come from another machine.
"""

import dataclasses
import hashlib
import json
import os
import zlib
from pathlib import Path

from autograder.batch.scores import Row
from autograder.export import Submitter
from autograder.labels import Status

META = "batch.json"
ROWS = "rows.jsonl"


class JournalError(Exception):
    """A journal that cannot be read or combined; the message names the file and why."""


@dataclasses.dataclass(frozen=True)
class Shard:
    """The ``index``-th (from 1) of ``count`` slices of an export."""

    index: int
    count: int

    @classmethod
    def parse(cls, text):
        """``"K/N"`` as a Shard; raises ValueError with a message that says what is wrong."""
        index, slash, count = str(text).partition("/")
        if not slash or not index.strip().isdigit() or not count.strip().isdigit():
            raise ValueError(f"--shard takes K/N, such as 2/8; got {text!r}")
        shard = cls(int(index), int(count))
        if not 1 <= shard.index <= shard.count:
            raise ValueError(f"--shard {text}: K must be between 1 and N")
        return shard

    def holds(self, submission_id):
        """Whether the submission belongs to this slice: by a hash of its id alone, so a
        submission lands in the same shard whatever else the export holds."""
        return zlib.crc32(submission_id.encode("utf-8", "surrogateescape")) % self.count == self.index - 1

    def __str__(self):
        return f"{self.index}/{self.count}"


def rubric_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def row_to_json(row):
    data = dataclasses.asdict(row)
    data["submitters"] = [[p.name, p.sid, p.email] for p in row.submitters]
    # ASCII, with \u escapes: any name round-trips, a byte that was not UTF-8 (read as a
    # surrogate) and a lone surrogate from YAML included.
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def row_from_json(text):
    """The Row of one line of rows.jsonl; a line from before a field existed gets its
    default (a journal from an earlier version has no ``check_scores`` or ``mistakes``)."""
    data = json.loads(text)
    data["submitters"] = tuple(Submitter(*person) for person in data["submitters"])
    data["failed_checks"] = tuple(data["failed_checks"])
    data["status"] = Status(data["status"])
    return Row(**data)


class Journal:
    """The journal of a batch being graded into ``out_dir``."""

    def __init__(self, out_dir, meta, rows=()):
        """Start the journal with ``meta`` and the ``rows`` already graded (a resumed batch's)."""
        self.out_dir = Path(out_dir)
        # ASCII, as rows.jsonl: an export's path need not be UTF-8.
        (self.out_dir / META).write_text(json.dumps(meta, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
        # Rewritten whole, then appended to: a line an earlier run left half-written is gone,
        # and the rows it finished are never missing (the new file replaces the old at once).
        fresh = self.out_dir / f".{ROWS}.new"
        with open(fresh, "w", encoding="utf-8", errors="surrogateescape") as stream:
            stream.writelines(row_to_json(row) + "\n" for row in rows)
        os.replace(fresh, self.out_dir / ROWS)
        self._rows = open(self.out_dir / ROWS, "a", encoding="utf-8", errors="surrogateescape")
        self.failures = []  # sentences: rows the journal could not keep (the batch's tables still have them)

    def append(self, row):
        """Record ``row``: a line, flushed at once, so that an interrupted batch keeps it.
        A write the disk refuses costs only the row's place in the journal (``--resume``
        would grade it again), not the batch."""
        try:
            self._rows.write(row_to_json(row) + "\n")
            self._rows.flush()
        except OSError as error:
            self.failures.append(
                f"{ROWS} could not record submission {row.submission_id} ({error.strerror or error}): "
                "--resume would grade it again."
            )

    def close(self):
        try:
            self._rows.close()
        except OSError as error:  # the last lines' flush: said, as for append
            self.failures.append(f"{ROWS} could not be completed ({error.strerror or error}).")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_journal(out_dir):
    """``(meta, rows)`` of the batch graded into ``out_dir``. A last line cut short (the
    batch was killed while writing it) is dropped; any other damage raises JournalError."""
    out_dir = Path(out_dir)
    try:
        meta = json.loads((out_dir / META).read_text(encoding="utf-8"))
        lines = (out_dir / ROWS).read_text(encoding="utf-8", errors="surrogateescape").split("\n")
    except FileNotFoundError as error:
        raise JournalError(f"{out_dir} is not the output of a batch: {Path(error.filename).name} is missing.") from None
    except (OSError, ValueError) as error:
        raise JournalError(f"{out_dir / META} cannot be read: {error}") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(row_from_json(line))
        except (ValueError, TypeError, KeyError) as error:
            if number == len(lines):  # the line being written when the batch stopped
                break
            raise JournalError(f"{out_dir / ROWS}, line {number}, is not a row: {error}") from None
    return meta, rows


def journal_paths():
    """The files a journal writes, for a batch that clears its --out."""
    return (META, ROWS)


def _same(values, what, folders):
    if len(set(values)) > 1:
        shown = ", ".join(f"{folder}: {value}" for folder, value in zip(folders, values))
        raise JournalError(f"the shards were not graded alike ({what} differs: {shown}).")


def check_shards(journals, folders):
    """Raise JournalError unless ``journals`` (``(meta, rows)`` of ``folders``) are every
    shard of one batch, each once and complete."""
    metas = [meta for meta, _ in journals]
    _same([meta.get("rubric_sha256") for meta in metas], "the rubric", folders)
    _same([meta.get("seed_sha256") for meta in metas], "the scoring seed", folders)
    _same([meta.get("export_submissions") for meta in metas], "the export", folders)
    shards = [tuple(meta.get("shard") or (1, 1)) for meta in metas]
    _same([count for _, count in shards], "the number of shards", folders)
    count = shards[0][1]
    seen = {}
    for folder, (index, _) in zip(folders, shards):
        if index in seen:
            raise JournalError(f"{seen[index]} and {folder} are both shard {index}/{count}.")
        seen[index] = folder
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise JournalError(f"shard {', '.join(f'{k}/{count}' for k in missing)} is missing.")
    for folder, (meta, rows) in zip(folders, journals):
        if len(rows) != meta.get("submissions"):
            raise JournalError(
                f"{folder} holds {len(rows)} of its {meta.get('submissions')} submissions: that shard did not finish."
            )
    ids = [row.submission_id for _, rows in journals for row in rows]
    if len(ids) != len(set(ids)):
        raise JournalError("a submission appears in two shards: they come from different exports.")
