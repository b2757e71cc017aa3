"""Read a set of submissions: Gradescope's "Export Submissions" zip, that zip unzipped, or
a plain folder with one sub-folder or file per student.

Gradescope's export holds one top folder with ``submission_metadata.yml`` and one folder
``submission_<id>/`` per submission. The YAML maps ``submission_<id>`` to a mapping with
Ruby-symbol keys (``:submitters:``, a list of ``{:name:, :sid:, :email:}``); it is read
with a safe loader that treats Ruby tags as plain data.

Nothing is lost silently: every zip entry that is not unpacked (a path that would leave
the folder, a symbolic link, a corrupt or oversized file) and every inconsistency
between the metadata and the folders becomes a sentence, attached to the submission it
concerns (:attr:`ExportedSubmission.problems`) or to the export
(:attr:`Export.warnings`). Only an export that cannot be read at all raises
:class:`ExportError`.
"""

import dataclasses
import os
import re
import shutil
import stat
import unicodedata
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import yaml

from autograder.markdown import inline_code

METADATA = "submission_metadata.yml"
#: Largest file unpacked from a zip; a submission is a few kilobytes of Python.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Entries that archivers add and nobody submitted.
JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db")
#: What a file that is a whole submission can be (a sub-folder may hold anything).
SUBMITTED_SUFFIXES = (".py", ".ipynb")


class ExportError(Exception):
    """The export cannot be read at all; the message says why and what to do."""


@dataclasses.dataclass(frozen=True)
class Submitter:
    name: str = ""
    sid: str = ""
    email: str = ""


@dataclasses.dataclass(frozen=True)
class ExportedSubmission:
    """One submission to grade.

    ``submission_id`` is safe as a file name and unique within the export; ``path`` is
    the folder or file to grade, or None when the metadata lists a submission the
    export holds no files for; ``problems`` are sentences about what could not be read;
    ``source`` is the folder's or file's name in the export as it was (a student's name,
    in a plain folder), or the metadata's key for one it holds no files for: data, kept
    whole, which the id may have had to shorten or change.
    """

    submission_id: str
    path: object
    submitters: tuple = ()
    problems: tuple = ()
    source: str = ""


@dataclasses.dataclass(frozen=True)
class Export:
    submissions: tuple
    warnings: tuple = ()  # problems that concern no single submission
    has_metadata: bool = False


def read_export(path, scratch):
    """The submissions in the export at ``path`` (a zip or a folder).

    A zip is unpacked into the folder ``scratch``, which must outlive the grading.
    Raises :class:`ExportError` when ``path`` is neither a readable zip nor a folder.
    """
    path = Path(path)
    problems = {}
    if path.is_file():
        if not (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
            raise ExportError(
                f"{path} is neither a folder nor a zip file. Give the zip from Gradescope's "
                "\"Export Submissions\", that zip unzipped, or a folder with one entry per student."
            )
        folder = Path(scratch) / "export"
        problems = unpack(path, folder)
    elif path.is_dir():
        folder = path
    elif path.exists():
        raise ExportError(f"{path} is neither a folder nor a zip file.")
    else:
        raise ExportError(f"{path} does not exist.")
    return _submissions_in(folder, _export_root(folder), problems)


# -- unpacking a zip safely -----------------------------------------------------------------


def unpack(zip_path, destination):
    """Unpack the regular files of ``zip_path`` under ``destination``.

    Returns ``{relative path: problem}`` for every entry left out: paths that would land
    outside ``destination`` (``../x``, ``/etc/x``), links and other special files,
    corrupt or oversized files. Raises :class:`ExportError` if the zip's directory
    cannot be read.
    """
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    problems = {}
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ExportError(f"{zip_path} is not a readable zip file ({error}); download the export again.") from None
    with archive:
        seen = set()
        for entry in archive.infolist():
            name = entry.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if not parts or parts[0] in JUNK or parts[-1] in JUNK:
                continue
            relative = "/".join(parts)
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                problems[relative] = f"{inline_code(entry.filename)} was not unpacked: its path leaves the export folder."
                continue
            kind = stat.S_IFMT(entry.external_attr >> 16)
            if entry.is_dir():
                (destination / relative).mkdir(parents=True, exist_ok=True)
                continue
            if kind not in (0, stat.S_IFREG):
                what = "a symbolic link" if kind == stat.S_IFLNK else "not a regular file"
                problems[relative] = f"{inline_code(relative)} was not unpacked: it is {what}."
                continue
            if entry.file_size > MAX_FILE_BYTES:
                problems[relative] = (
                    f"{inline_code(relative)} was not unpacked: it is {entry.file_size / 2**20:.0f} MB "
                    f"(the limit is {MAX_FILE_BYTES // 2**20} MB)."
                )
                continue
            if relative in seen:
                problems[relative] = f"{inline_code(relative)} appears twice in the zip; the last copy was kept."
            seen.add(relative)
            target = destination / relative
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(entry) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
                target.unlink(missing_ok=True)
                problems[relative] = f"{inline_code(relative)} is corrupt in the zip ({error}) and was left out."
            except OSError as error:
                target.unlink(missing_ok=True)
                problems[relative] = f"{inline_code(relative)} could not be written ({error.strerror}) and was left out."
    return problems


# -- the layout -----------------------------------------------------------------------------


def _entries(folder):
    return sorted(
        (entry for entry in folder.iterdir() if not entry.name.startswith(".") and entry.name not in JUNK),
        key=lambda entry: entry.name,
    )


def _export_root(folder):
    """The folder that holds the submissions: ``folder`` itself, or the single top folder
    of Gradescope's zip (recognised by its metadata or its ``submission_*`` folders)."""
    if (folder / METADATA).is_file():
        return folder
    entries = _entries(folder)
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        inner = entries[0]
        if (inner / METADATA).is_file() or any(e.name.startswith("submission_") for e in _entries(inner)):
            return inner
    return folder


def _submissions_in(folder, root, unpacked):
    """The submissions under ``root``; ``unpacked`` maps paths relative to ``folder`` to
    what went wrong unpacking them, and each problem goes to the submission it is in."""
    warnings = []
    metadata, has_metadata = {}, (root / METADATA).exists()
    if has_metadata:
        metadata, more = read_metadata(root / METADATA)
        warnings += more
    elif any(e.name.startswith("submission_") and e.is_dir() for e in _entries(root)):
        warnings.append(f"The export has no {METADATA}: names and emails are left empty.")
    unclaimed = dict(unpacked)

    def problems_under(entry_path):
        prefix = PurePosixPath(entry_path.relative_to(folder).as_posix())
        mine = [p for p in unclaimed if PurePosixPath(p) == prefix or prefix in PurePosixPath(p).parents]
        return [unclaimed.pop(p) for p in mine]

    ids = _UniqueIds()
    submissions = []
    for entry in _entries(root):
        if entry.name == METADATA:
            continue
        if entry.is_file() and not entry.is_symlink() and entry.suffix not in SUBMITTED_SUFFIXES:
            warnings.append(f"Ignored {inline_code(entry.name)}: a file per student must be a .py or .ipynb file.")
            continue
        problems = problems_under(entry)
        if has_metadata and entry.name not in metadata:
            problems.append(f"{inline_code(entry.name)} is not listed in {METADATA}.")
        path = entry
        if entry.is_symlink():
            problems.append(f"{inline_code(entry.name)} is a symbolic link; links are not followed.")
            path = None
        elif entry.is_dir():
            problems += _links_inside(entry)
        key = entry.stem if path is not None and entry.is_file() else entry.name
        submitters = metadata.get(entry.name, ())
        submissions.append(ExportedSubmission(ids.make(key), path, submitters, tuple(problems), entry.name))
    present = {entry.name for entry in _entries(root)}
    for key, submitters in metadata.items():
        if key not in present:
            problems = problems_under(root / key)
            problems.append(f"{METADATA} lists {inline_code(key)}, but the export holds no files for it.")
            submissions.append(ExportedSubmission(ids.make(key), None, submitters, tuple(problems), key))
    warnings += unclaimed.values()
    return Export(tuple(submissions), tuple(warnings), has_metadata)


def _links_inside(folder):
    """A sentence for each symbolic link under ``folder``. The walk keeps its own stack,
    not Python's: a tree deeper than the recursion limit (a student's, or a zip's) is
    walked too, and a folder that cannot be read is passed over."""
    links, folders = [], [str(folder)]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        links.append(PurePosixPath(os.path.relpath(entry.path, folder)))
                    elif entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
        except OSError:
            continue
    return [f"{inline_code(str(link))} is a symbolic link; links are not followed." for link in sorted(links)]


class _UniqueIds:
    """Submission ids that are safe file names: ``submission_123`` gives ``123``, and
    ``José Ñúñez`` gives ``José_Ñúñez`` (letters and digits of any script are kept, in
    their composed form; an undecodable byte, a space or a sign becomes ``_``)."""

    def __init__(self):
        self.used = set()

    def make(self, name):
        base = name[len("submission_"):] if name.startswith("submission_") and len(name) > 11 else name
        base = unicodedata.normalize("NFC", base)  # a macOS zip writes é as e and a combining accent
        base = re.sub(r"[^\w.-]+", "_", base).strip("._-")[:80] or "submission"
        candidate, number = base, 1
        while candidate.lower() in self.used:
            number += 1
            candidate = f"{base}-{number}"
        self.used.add(candidate.lower())
        return candidate


# -- submission_metadata.yml --------------------------------------------------------------------


class _RubyTolerantLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader that reads Ruby-tagged nodes (``!ruby/hash:...``) as plain data; the
    one of libyaml where PyYAML has it (it reads a course's metadata several times faster)."""


def _untagged(loader, suffix, node):
    del suffix
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_RubyTolerantLoader.add_multi_constructor("!", _untagged)


def read_metadata(path):
    """``({folder name: (Submitter, ...)}, warnings)`` from ``submission_metadata.yml``."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        data = yaml.load(text, Loader=_RubyTolerantLoader)  # noqa: S506  a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        return {}, [f"{METADATA} is not valid YAML{where}; names and emails are left empty."]
    except OSError as error:
        return {}, [f"{METADATA} could not be read ({error.strerror}); names and emails are left empty."]
    if not isinstance(data, dict):
        return {}, [f"{METADATA} is not a mapping of submissions; names and emails are left empty."]
    found, warnings = {}, []
    for key, value in data.items():
        people = _plain_keys(value).get("submitters")
        if not isinstance(people, list):
            warnings.append(f"{METADATA}: {inline_code(key)} has no list of submitters.")
            people = []
        found[str(key)] = tuple(_submitter(person) for person in people)
    return found, warnings


def _plain_keys(mapping):
    """A mapping's keys without the Ruby symbol colons (``:name:`` reads as ``:name``)."""
    return {str(key).strip(":"): value for key, value in mapping.items()} if isinstance(mapping, dict) else {}


def _submitter(person):
    fields = _plain_keys(person)
    return Submitter(*("" if fields.get(f) is None else str(fields[f]) for f in ("name", "sid", "email")))
