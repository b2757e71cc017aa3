"""A Jupyter or Colab notebook (nbformat 4) as the student's module.

The code cells, in order, become one Python module, line for line: the module's line
``k`` is always one line of one cell, so feedback can name the cell and its line
(:meth:`NotebookModule.place`). IPython syntax is not Python, so it is kept as a
comment on its own line: line magics (``%timeit f()``), cell magics (a cell starting
with ``%%``, whose whole body is then ignored), shell lines (``!pip install``) and
assignments from them (``files = !ls``). Markdown and raw cells are skipped.

Standard library only (and :mod:`autograder.markdown`): the student kit ships this module.
"""

import dataclasses
import errno
import json
import os
import re
import stat
from pathlib import Path

from autograder.markdown import inline_code
from autograder.sandbox.wire import json_depth

#: A line that IPython would not hand to Python: ``%magic``, ``!shell``, ``x = !shell``.
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!]|[\w.,\s\[\]]+=\s*[%!](?!=))")
#: Far more than any notebook of answers holds, outputs included: bytes, cells, and
#: levels of nested JSON arrays and objects (nbformat needs about 8).
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_CELLS = 5_000
MAX_JSON_DEPTH = 64
#: What a JSON string may hold (the escape ``"\ud800"``) but text written as UTF-8 may not.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Opened without following a link (as root, it could reach any file) or waiting on a FIFO.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class NotebookError(Exception):
    """The file is not a notebook this grader can read; the message tells the student why."""


@dataclasses.dataclass(frozen=True)
class NotebookModule:
    """The code cells of a notebook as module source.

    ``cells`` holds, per code cell, ``(number, first line, line count)``: ``number``
    counts code cells from 1, ``first line`` is the cell's first line in ``source``.
    """

    name: str  # the notebook's file name, for messages
    source: str
    cells: tuple
    ignored_lines: int  # IPython lines kept as comments

    def cell_of(self, line):
        """``(code cell number, line within the cell)`` for module line ``line``, or None."""
        for number, first, count in self.cells:
            if first <= line < first + count:
                return number, line - first + 1
        return None


def read_notebook(path):
    """The :class:`NotebookModule` of the notebook at ``path``; raises :class:`NotebookError`.

    What is read is bounded: at most :data:`MAX_NOTEBOOK_BYTES` of a regular file that
    is not a link, parsed only once it nests no deeper than :data:`MAX_JSON_DEPTH`.
    """
    path = Path(path)
    name = path.name
    content = _read_bounded(path, name)
    try:
        text = content.decode("utf-8-sig")  # nbformat's encoding; a byte-order mark is tolerated
        if json_depth(text) > MAX_JSON_DEPTH:
            raise NotebookError(
                f"{inline_code(name)} nests its JSON more than {MAX_JSON_DEPTH} levels deep, which no notebook "
                "Jupyter or Colab writes does. Download it again (File > Download > .ipynb)."
            )
        data = json.loads(text)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise NotebookError(
            f"{inline_code(name)} is not a notebook Jupyter or Colab can open: it is not valid JSON{where}. "
            "Download it again (File > Download > .ipynb) rather than saving or renaming another file."
        ) from None
    return notebook_module(data, name)


def _read_bounded(path, name):
    """The bytes of the notebook at ``path``, at most :data:`MAX_NOTEBOOK_BYTES`."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
        with open(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise NotebookError(f"{inline_code(name)} is not a regular file, so it is not a notebook.")
            content = stream.read(MAX_NOTEBOOK_BYTES + 1)  # not the size stat gave: the file may grow meanwhile
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotebookError(
                f"{inline_code(name)} is a symbolic link, and links are not accepted: submit the notebook itself."
            ) from None
        raise NotebookError(f"{inline_code(name)} could not be read ({error.strerror}).") from None
    if len(content) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(
            f"{inline_code(name)} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB, the most the grader reads; "
            "clear its outputs and save it again."
        )
    return content


def notebook_module(data, name):
    """The :class:`NotebookModule` of notebook JSON ``data`` (already parsed)."""
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        version = data.get("nbformat") if isinstance(data, dict) else None
        detail = f"it is in notebook format {version}" if isinstance(version, int) else "it has no list of cells"
        raise NotebookError(
            f"{inline_code(name)} is not a notebook this grader can read: {detail}. Save it from a current Jupyter or "
            "Colab, which writes format 4."
        )
    if data.get("nbformat") != 4:
        raise NotebookError(
            f"{inline_code(name)} is in notebook format {data.get('nbformat')!r}; the grader reads format 4, which any current "
            "Jupyter or Colab writes. Open it there and save it again."
        )
    if len(data["cells"]) > MAX_CELLS:
        raise NotebookError(
            f"{inline_code(name)} has {len(data['cells'])} cells; the grader reads notebooks of at most {MAX_CELLS}. "
            "Keep the cells with your answers and save it again."
        )
    lines, cells, ignored, number = [], [], 0, 0
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict):
            raise NotebookError(f"{inline_code(name)} is damaged: its cell {index + 1} is not a cell.")
        if cell.get("cell_type") != "code":
            continue
        number += 1
        text = _cell_text(cell.get("source", ""), name, index)
        cell_lines = text.splitlines() or [""]
        converted, count = _python_lines(cell_lines)
        ignored += count
        cells.append((number, len(lines) + 1, len(converted)))
        lines += converted
    if not cells:
        raise NotebookError(f"{inline_code(name)} has no code cells, so there is nothing to grade.")
    return NotebookModule(name=name, source="\n".join(lines) + "\n", cells=tuple(cells), ignored_lines=ignored)


def _cell_text(source, name, index):
    if isinstance(source, list) and all(isinstance(piece, str) for piece in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookError(f"{inline_code(name)} is damaged: the source of its cell {index + 1} is not text.")
    if _SURROGATE.search(source):  # JSON's "\ud800" escape: no UTF-8 module can hold it
        raise NotebookError(f"{inline_code(name)} is damaged: the source of its cell {index + 1} is not valid Unicode text.")
    return source


def _python_lines(cell_lines):
    """The cell's lines with IPython syntax turned into comments; and how many were."""
    first = next((line for line in cell_lines if line.strip()), "")
    if first.lstrip().startswith("%%"):  # a cell magic: the whole cell is not Python
        return [f"# {line}" if line.strip() else line for line in cell_lines], sum(1 for line in cell_lines if line.strip())
    out, count = [], 0
    for line in cell_lines:
        if _IPYTHON_LINE.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            # Indented, the line may be a block's only statement: keep the block valid.
            out.append(f"{indent}pass  # {line.lstrip()}" if indent else f"# {line}")
            count += 1
        else:
            out.append(line)
    return out, count


class NotebookPlace:
    """``place(file, line)`` for feedback on a notebook submission: lines of the module
    generated from the notebook become "`name.ipynb`, code cell N, line M"; any other
    file (a helper module) is named as usual."""

    def __init__(self, notebook, module_file, fallback):
        self.notebook = notebook
        self.module_file = module_file
        self.fallback = fallback

    def __call__(self, file, line):
        if file == self.module_file and type(line) is int:
            found = self.notebook.cell_of(line)
            if found is not None:
                return f"{inline_code(self.notebook.name)}, code cell {found[0]}, line {found[1]}"
        return self.fallback(file, line)
