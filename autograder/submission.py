"""Find the student's module in what they submitted: a file, a notebook or a folder."""

import contextlib
import dataclasses
import stat
import tempfile
from pathlib import Path

from autograder.markdown import inline_code
from autograder.notebook import NotebookError, NotebookPlace, read_notebook
from autograder.sandbox import ImportFailed, Limits, NothingToGrade, Sandbox, copy_submission
from autograder.sandbox.errors import place_in_file


class SubmissionProblem(Exception):
    """Nothing gradable was submitted; ``feedback`` tells the student what was expected."""

    def __init__(self, feedback):
        super().__init__(feedback)
        self.feedback = feedback


@dataclasses.dataclass(frozen=True)
class Located:
    """The module to import, the folder to copy with it (None for a lone file), and notes.

    For a notebook, ``module`` is generated from its code cells into a temporary
    ``workspace`` that lives as long as this object, ``place(file, line)`` names
    places in feedback by cell and ``shown_as`` names the module as the student knows
    it (pass both to the Sandbox); None means the Sandbox's defaults.
    """

    module: Path
    folder: object
    notes: tuple = ()
    place: object = None
    workspace: object = None
    shown_as: object = None


@dataclasses.dataclass(frozen=True)
class Opened:
    """A submission ready for the checks (see :func:`open_submission`).

    ``student`` answers the checks' calls: the :class:`Sandbox` holding the module, or,
    when there is none to grade, a stand-in whose every call fails with ``problem``.
    ``problem`` says why nothing could be graded (no module, or its import failed);
    ``notes`` are what locating it found worth saying; ``sandbox`` is None without a module.
    """

    student: object
    problem: str = ""
    notes: tuple = ()
    sandbox: object = None


@contextlib.contextmanager
def open_submission(path, expected_name, *, limits, isolation=None):
    """Locate the module in the submission at ``path``, import it in a sandbox, and yield
    the :class:`Opened` submission; the sandbox is closed on leaving. Gradescope's grader
    and the student kit's self-check both open a submission this way."""
    try:
        located = locate(path, expected_name)
    except SubmissionProblem as problem:
        yield Opened(NothingToGrade(problem.feedback), problem.feedback)
        return
    with Sandbox(
        located.module, folder=located.folder, limits=limits, isolation=isolation,
        place=located.place or place_in_file, shown_as=located.shown_as,
    ) as sandbox:
        problem = ""
        try:
            sandbox.import_module()
        except ImportFailed as error:
            problem = error.feedback
        yield Opened(sandbox, problem, located.notes, sandbox)


def _is_regular(path):
    """Whether ``path`` is a regular file, by lstat: a link never is, whatever it points
    to (a student's ``we_recur.ipynb`` may link to a file only root can read)."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _is_folder(path):
    """Whether ``path`` is a folder, by lstat: a linked folder is not followed."""
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _python_files(folder):
    return sorted(p for p in folder.iterdir() if p.suffix == ".py" and _is_regular(p) and not p.name.startswith("."))


def _notebooks(folder):
    return sorted(p for p in folder.iterdir() if p.suffix == ".ipynb" and _is_regular(p) and not p.name.startswith("."))


def _links(folder):
    return sorted(p for p in folder.iterdir() if p.is_symlink())


def _link_refused(shown):
    return (
        f"{inline_code(shown)} is a symbolic link, and links are not accepted: submit the file itself, "
        "not a link to it."
    )


def _links_left_out(links, folder):
    names = ", ".join(inline_code(p.relative_to(folder).as_posix()) for p in links[:10])
    more = f" and {len(links) - 10} more" if len(links) > 10 else ""
    were = "was" if len(links) == 1 else "were"
    return f"Symbolic links are not accepted, so {names}{more} {were} left out: neither graded nor copied."


def locate(path, expected_name):
    """Locate ``expected_name`` (e.g. ``we_recur.py``) in the submission at ``path``.

    A lone ``.py`` file is the module, whatever its name; a lone ``.ipynb`` notebook
    gives the module its code cells. In a folder, the first of these wins:

    1. ``expected_name`` (``we_recur.py``);
    2. the notebook named like it (``we_recur.ipynb``); the folder's ``.py`` files are
       then its helper modules;
    3. the only ``.py`` file, whatever its name, with a note;
    4. the only notebook, when there is no ``.py`` file, with a note;
    5. one level of sub-folders deeper (uploads from GitHub nest): ``expected_name``,
       then the notebook named like it.

    Several ``.py`` files or several notebooks, none named as expected, are a problem
    the student is told about. Symbolic links are never graded, read or followed (not
    even a sub-folder that is one): a module or notebook found only as a link is a
    problem that names it, and other links are named in a note.
    """
    path = Path(path)
    if path.is_symlink():
        raise SubmissionProblem(_link_refused(path.name))
    if _is_regular(path):
        return _lone_file(path, expected_name)
    if not path.is_dir():
        raise SubmissionProblem(f"The submission `{path}` does not exist.")
    links = _links(path)
    located = _in_folder(path, expected_name, links)
    if links:
        located = dataclasses.replace(located, notes=(*located.notes, _links_left_out(links, path)))
    return located


def _lone_file(path, expected_name):
    notebook_name = Path(expected_name).stem + ".ipynb"
    if path.suffix == ".ipynb":
        return _from_notebook(path, None, expected_name, "")
    if path.suffix != ".py":
        raise SubmissionProblem(
            f"{inline_code(path.name)} is not a Python file; submit `{expected_name}` (or a notebook, `{notebook_name}`)."
        )
    return Located(path, None)


def _in_folder(path, expected_name, links):
    """:func:`locate` in the folder ``path``, whose ``links`` are never candidates."""
    notebook_name = Path(expected_name).stem + ".ipynb"
    for name in (expected_name, notebook_name):
        if path / name in links:
            raise SubmissionProblem(_link_refused(name))
    candidates = _python_files(path)
    notebooks = _notebooks(path)
    if path / expected_name in candidates:
        return Located(path / expected_name, path)
    if path / notebook_name in notebooks:
        return _from_notebook(path / notebook_name, path, expected_name, "")
    if len(candidates) == 1:
        only = candidates[0]
        note = f"Your submission has no `{expected_name}`; graded {inline_code(only.name)}, its only Python file."
        return Located(only, path, (note,))
    if len(candidates) > 1:
        names = ", ".join(inline_code(p.name) for p in candidates)
        raise SubmissionProblem(
            f"Your submission has several Python files ({names}) and none is named `{expected_name}`. "
            f"Name your answers' module `{expected_name}`."
        )
    if len(notebooks) == 1:
        return _from_notebook(notebooks[0], path, expected_name, f"Your submission has no `{expected_name}`; ", "its only notebook")
    if len(notebooks) > 1:
        names = ", ".join(inline_code(p.name) for p in notebooks)
        raise SubmissionProblem(
            f"Your submission has several notebooks ({names}) and none is named `{notebook_name}`. "
            f"Submit one notebook named `{notebook_name}`, or your answers as `{expected_name}`."
        )
    subfolders = sorted(p for p in path.iterdir() if _is_folder(p))
    for name in (expected_name, notebook_name):
        nested = [sub / name for sub in subfolders if _is_regular(sub / name)]
        if len(nested) == 1:
            relative = nested[0].relative_to(path)
            if nested[0].suffix == ".ipynb":
                return _from_notebook(nested[0], path, expected_name, "", "found in a sub-folder of your submission")
            return Located(nested[0], path, (f"Graded {inline_code(relative.as_posix())}, found in a sub-folder of your submission.",))
        linked = [sub / name for sub in subfolders if (sub / name).is_symlink()]
        if not nested and linked:
            raise SubmissionProblem(_link_refused(linked[0].relative_to(path).as_posix()))
    found = sorted(p.name for p in path.iterdir())[:10]
    listing = f" It contains: {', '.join(inline_code(n) for n in found)}." if found else " It is empty."
    if links:
        listing += " " + (_link_refused(links[0].name) if len(links) == 1 else _links_left_out(links, path))
    raise SubmissionProblem(f"Missing `{expected_name}`: your submission has no Python file to grade.{listing}")


def _from_notebook(notebook_path, folder, expected_name, lead, why=""):
    """Generate ``expected_name`` from the notebook's code cells, beside a copy of
    ``folder`` (so that helper modules stay importable), and locate it."""
    try:
        notebook = read_notebook(notebook_path)
    except NotebookError as error:
        raise SubmissionProblem(f"{error} You can also submit your answers as `{expected_name}`.") from None
    workspace = tempfile.TemporaryDirectory(prefix="autograder-notebook-")
    root = Path(workspace.name)
    if folder is None:
        copy, module = None, root / expected_name
    else:
        copy = root / "submission"
        copy_submission(folder, copy, Limits().max_submission_bytes)
        module = copy / notebook_path.parent.relative_to(folder) / expected_name
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(notebook.source, encoding="utf-8")
    shown = notebook_path.name if folder is None else notebook_path.relative_to(folder).as_posix()
    which = f"{inline_code(shown)}, {why}," if why else inline_code(shown)
    note = f"{lead}graded the code cells of {which} as one module."
    note = note[0].upper() + note[1:]
    if notebook.ignored_lines:
        note += (
            f" {notebook.ignored_lines} IPython line(s) (magics such as `%timeit`, shell commands such as `!pip`, "
            "help such as `np.einsum?`) were ignored."
        )
    place = NotebookPlace(notebook, Path(expected_name).name, place_in_file)
    shown_as = f"the code cells of {inline_code(shown)}"
    return Located(module, copy, (note, *notebook.notes()), place=place, workspace=workspace, shown_as=shown_as)
