"""Find the student's module in what they submitted: a file or a folder."""

import dataclasses
from pathlib import Path

from gradescope_utils.autograder_utils.files import check_submitted_files


class SubmissionProblem(Exception):
    """Nothing gradable was submitted; ``feedback`` tells the student what was expected."""

    def __init__(self, feedback):
        super().__init__(feedback)
        self.feedback = feedback


@dataclasses.dataclass(frozen=True)
class Located:
    """The module to import, the folder to copy with it (None for a lone file), and notes."""

    module: Path
    folder: object
    notes: tuple = ()


def _python_files(folder):
    return sorted(p for p in folder.iterdir() if p.suffix == ".py" and p.is_file() and not p.name.startswith("."))


def locate(path, expected_name):
    """Locate ``expected_name`` (e.g. ``we_recur.py``) in the submission at ``path``.

    A folder with exactly one top-level ``.py`` file uses it, whatever its name, and
    says so. With several, ``expected_name`` is preferred. A folder without any looks
    one level of sub-folders deeper for ``expected_name`` (uploads from GitHub nest).
    """
    path = Path(path)
    if path.is_file():
        if path.suffix != ".py":
            raise SubmissionProblem(f"`{path.name}` is not a Python file; submit `{expected_name}`.")
        return Located(path, None)
    if not path.is_dir():
        raise SubmissionProblem(f"The submission `{path}` does not exist.")
    candidates = _python_files(path)
    if not check_submitted_files([expected_name], base=str(path)):
        return Located(path / expected_name, path)
    if len(candidates) == 1:
        only = candidates[0]
        note = f"Your submission has no `{expected_name}`; graded `{only.name}`, its only Python file."
        return Located(only, path, (note,))
    if len(candidates) > 1:
        names = ", ".join(f"`{p.name}`" for p in candidates)
        raise SubmissionProblem(
            f"Your submission has several Python files ({names}) and none is named `{expected_name}`. "
            f"Name your answers' module `{expected_name}`."
        )
    nested = sorted(p for p in path.glob(f"*/{expected_name}") if p.is_file())
    if len(nested) == 1:
        relative = nested[0].relative_to(path)
        return Located(nested[0], path, (f"Graded `{relative}`, found in a sub-folder of your submission.",))
    found = sorted(p.name for p in path.iterdir())[:10]
    listing = f" It contains: {', '.join(f'`{n}`' for n in found)}." if found else " It is empty."
    raise SubmissionProblem(f"Missing `{expected_name}`: your submission has no Python file to grade.{listing}")
