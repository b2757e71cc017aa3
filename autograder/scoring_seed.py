"""The scoring seed: what Gradescope's checks draw their random inputs from.

The rubric's ``seed:`` is public: the student kit draws its inputs with it and ships
the reference's answers to them, so a submission that looks those answers up passes
the kit. Gradescope must therefore draw other inputs. ``python -m autograder build``
creates a secret seed (:func:`create`), puts it in the zip as :data:`FILE_IN_ZIP` (in
the grader's source tree, which no Landlock rule of the sandbox grants and which
``lock_down_gradescope`` makes unreadable to the sandbox user) and writes a copy beside
the zip for the instructor (:func:`copy_beside`), never into the kit. ``grade`` and
``batch`` use it with ``--secret-from autograder.zip`` (or that copy); without it they
draw with the public seed, and say so.

results.json records :attr:`Seed.sha256`, never the seed, so that a regrade can show
it used the same one.
"""

import dataclasses
import hashlib
import secrets
import zipfile
from pathlib import Path

#: The secret seed's file, at the root of the autograder zip (and of its source tree on Gradescope).
FILE_IN_ZIP = "scoring_seed.txt"
#: Bits of a created seed: far beyond guessing, and numpy's SeedSequence takes any size.
SECRET_BITS = 128
_HEADER = "# The secret scoring seed of an autograder zip. Keep it private: never give it to students.\n"


class SeedError(Exception):
    """A seed that cannot be read; the message names the file."""


@dataclasses.dataclass(frozen=True)
class Seed:
    """A seed the checks' ``rng`` derives from, and whether it is the secret one."""

    value: int
    secret: bool

    @property
    def sha256(self):
        """What results.json records: the SHA-256 of the seed's decimal text."""
        return hashlib.sha256(str(self.value).encode("ascii")).hexdigest()

    @property
    def described(self):
        """One line for the instructor's terminal."""
        if self.secret:
            return f"scored with the secret seed (sha256 {self.sha256[:12]}…)"
        return (
            "scored with the rubric's public seed, which the student kit also uses: "
            "pass --secret-from autograder.zip for Gradescope's scores"
        )


def public(value):
    return Seed(int(value), secret=False)


def create():
    """A fresh secret seed (:mod:`secrets`)."""
    return Seed(secrets.randbits(SECRET_BITS), secret=True)


def as_text(seed):
    return f"{_HEADER}{seed.value}\n"


def parse(text, source):
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) != 1 or not lines[0].isdigit():
        raise SeedError(f"{source} does not hold a scoring seed (one line of decimal digits).")
    return Seed(int(lines[0]), secret=True)


def read(path):
    """The secret seed of the autograder zip at ``path``, or of a seed file that
    :func:`copy_beside` wrote (or :data:`FILE_IN_ZIP` itself). Raises :class:`SeedError`."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                if FILE_IN_ZIP not in archive.namelist():
                    raise SeedError(f"{path} holds no {FILE_IN_ZIP}: it was built without a scoring seed.")
                text = archive.read(FILE_IN_ZIP).decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as error:
        raise SeedError(f"{path} cannot be read ({error}).") from None
    return parse(text, path)


def in_source(source_root):
    """The secret seed in the grader's source tree (Gradescope's), or None without one."""
    path = Path(source_root) / FILE_IN_ZIP
    return read(path) if path.is_file() else None


def copy_beside(zip_path):
    """Where build writes the instructor's copy of the seed: ``autograder.zip`` ->
    ``autograder.scoring-seed``."""
    zip_path = Path(zip_path)
    return zip_path.with_name(f"{zip_path.stem}.scoring-seed")
