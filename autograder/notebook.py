"""A Jupyter or Colab notebook (nbformat 4) as the student's module, run as IPython runs it.

The code cells, in order, become one Python module, line for line: each line of a cell
is one line of the module, and a cell's lines stay together, so feedback can name the
cell and its line (:meth:`NotebookModule.cell_of`). The grader's own lines lie between
cells: one prelude line at the top (or, after leading ``from __future__`` imports, on
the last of them), and one line after each ``%%capture`` cell;
:attr:`NotebookModule.cells` records where each cell starts. Markdown and raw cells
are skipped.

IPython syntax that is not Python is kept as a comment on its own line (``pass  #`` when
indented, so a block stays valid): line magics (``%timeit f()``), shell lines
(``!pip install``), assignments from them (``files = !ls``) and help lines
(``np.einsum?``, ``?np.einsum``, ``obj.method??``). A cell magic decides its cell:

- ``%%time``, ``%%timeit`` (whose setup statement, on the magic line, runs first),
  ``%%prun`` and ``%%capture [var]`` run their body, once, as IPython does; ``%%capture``
  hides what the body prints and leaves ``var`` holding it.
- ``%%writefile [-a] NAME`` (or ``%%file``) writes (appends) its body, exactly, to NAME
  in the module's folder when the module is imported: in the sandbox's scratch copy,
  never by the grader, so a later ``import NAME`` works. Each body line becomes a string
  literal on its own line. A NAME that leaves the folder (``..``, absolute, ``~``, or a
  link out of it) is refused there, and :meth:`NotebookModule.notes` says so.
- Any other cell magic (``%%bash``, ``%%html``, ``%%script``, an unknown one) does not
  run Python: its cell becomes comments, and :meth:`NotebookModule.notes` names it.

The prelude, present only when the notebook needs it, makes ``display`` (prints each
object's repr) and ``get_ipython()`` (a shell whose every method does nothing) builtins,
as IPython does, unless something already is; a notebook's own definitions win. It
also holds what ``%%capture`` and ``%%writefile`` call. It runs in the sandbox, like
every line of the module.

Standard library only (and :mod:`autograder.markdown`): the student kit ships this module.
"""

import dataclasses
import errno
import json
import keyword
import os
import re
import shlex
import stat
from pathlib import Path

from autograder.markdown import inline_code
from autograder.sandbox.wire import json_depth

#: A line that IPython would not hand to Python: ``%magic``, ``!shell``, ``x = !shell``,
#: and help: ``?name``, ``??name``, ``name?``, ``a.b[0]??`` (a wildcard ``np.*load*?`` too).
_IPYTHON_LINE = re.compile(
    r"^\s*(?:[%!?]|[\w.,\s\[\]]+=\s*[%!](?!=)|(?!\d)[\w*]+(?:\.(?!\d)[\w*]+|\[[^\[\]]+\])*\?\??\s*$)"
)
#: A cell magic's line: its name and its arguments.
_CELL_MAGIC = re.compile(r"%%(\S*)\s*(.*)")
#: Cell magics whose body IPython runs as Python in the notebook's own namespace.
RUNS_BODY = ("time", "timeit", "capture", "prun")
#: Cell magics that write their body to a file (``%%file`` is IPython's other name).
WRITES_FILE = ("writefile", "file")
#: ``%%timeit``'s options before its setup statement: ``-n 10``, ``-r3``, ``-p 4``, ``-t -q -o``.
_TIMEIT_OPTION = re.compile(r"\s*-[tcqo]*(?:[nrp]\s*\S+|[tcqo])(?=\s|$)")
#: A ``from __future__ import``, which must come before every other statement, the prelude's too.
_FUTURE_IMPORT = re.compile(r"from\s+__future__\s+import\b")
#: Far more than any notebook of answers holds, outputs included: bytes, cells, and
#: levels of nested JSON arrays and objects (nbformat needs about 8).
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_CELLS = 5_000
MAX_JSON_DEPTH = 64
#: Cells named in one note; more are counted.
MAX_CELLS_NAMED = 10
#: What a JSON string may hold (the escape ``"\ud800"``) but text written as UTF-8 may not.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Opened without following a link (as root, it could reach any file) or waiting on a FIFO.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)

#: The grader's stand-ins for IPython, run by the module's prelude in the sandbox (the
#: worker), with ``module_file`` set to the module's ``__file__``. Its frames are not the
#: student's (its file name starts with ``<``), so tracebacks never show them.
_STAND_INS = r'''
import builtins, importlib, io, os, re, sys

MAX_CAPTURED_CHARS = 1_000_000  # of each stream of a %%capture cell
_folder = os.path.realpath(os.path.dirname(os.path.abspath(module_file)))
_module = os.path.realpath(os.path.abspath(module_file))


def display(*objects, **options):
    """IPython's display() outside IPython: prints each object's repr."""
    for value in objects:
        try:
            text = repr(value)
        except Exception as error:
            text = f"<{type(value).__name__} object: its repr raised {type(error).__name__}>"
        print(text)


def _nothing(*args, **kwargs):
    return None


class _Shell:
    """What get_ipython() returns: every method (run_line_magic, run_cell_magic, system,
    magic, ...) does nothing and returns None."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _nothing

    def __repr__(self):
        return "<the grader's stand-in for IPython: its methods do nothing>"


_shell = _Shell()


def get_ipython():
    return _shell


for _name, _value in (("display", display), ("get_ipython", get_ipython)):
    if not hasattr(builtins, _name):
        setattr(builtins, _name, _value)


class _Captured(io.TextIOBase):
    def __init__(self):
        self.parts, self.kept = [], 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = MAX_CAPTURED_CHARS - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        return len(text)

    def getvalue(self):
        return "".join(self.parts)


class CapturedIO:
    """What %%capture out leaves in out, as IPython's: stdout, stderr, outputs, show()."""

    def __init__(self, stdout, stderr):
        self.stdout, self.stderr, self.outputs = stdout, stderr, []

    def show(self):
        sys.stdout.write(self.stdout)
        sys.stderr.write(self.stderr)

    __call__ = show

    def __str__(self):
        return self.stdout

    def __repr__(self):
        return f"<CapturedIO: {len(self.stdout)} characters of stdout, {len(self.stderr)} of stderr>"


_captures = []


def capture_begin(stdout, stderr):
    captured = (sys.stdout, sys.stderr, _Captured() if stdout else None, _Captured() if stderr else None)
    _captures.append(captured)
    sys.stdout = captured[2] or sys.stdout
    sys.stderr = captured[3] or sys.stderr


def capture_end():
    if not _captures:
        return CapturedIO("", "")
    sys.stdout, sys.stderr, out, err = _captures.pop()
    return CapturedIO(out.getvalue() if out else "", err.getvalue() if err else "")


def _refusal(name):
    """Why name may not be written ("" when it may), and the path it names."""
    if not name.strip() or os.path.isabs(name) or re.match(r"[\\/~]|[A-Za-z]:", name) or ".." in re.split(r"[\\/]", name):
        return "its name leads out of the notebook's folder", None
    path = os.path.realpath(os.path.join(_folder, name))  # through any link on the way
    try:
        inside = os.path.commonpath([path, _folder]) == _folder
    except ValueError:  # another drive
        inside = False
    if not inside:
        return "it leads out of the notebook's folder", None
    if path == _module:
        return "it would replace the module the grader made of the notebook's code cells", None
    return "", path


def writefile(name, append, text):
    """%%writefile [-a] name: write (append) text to name, in the notebook's folder only."""
    refusal, path = _refusal(name)
    if refusal:
        print(f"%%writefile {name}: refused, because {refusal}; the grader writes files only inside "
              "the notebook's folder.", file=sys.stderr)
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a" if append else "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        print(f"%%writefile {name}: could not be written ({error.strerror or error}).", file=sys.stderr)
    importlib.invalidate_caches()  # a module written now must be importable next
'''
#: The prelude: one line, with no comment, so that it may end a ``from __future__`` line.
_PRELUDE = (
    '_grader_notebook = __import__("types").ModuleType("_grader_notebook"); '
    "_grader_notebook.module_file = __file__; "
    f'exec(compile({_STAND_INS!r}, "<the grader\'s stand-ins for IPython>", "exec"), vars(_grader_notebook))'
)
#: Names whose use asks for the prelude.
_STAND_IN_NAMES = re.compile(r"\b(?:display|get_ipython)\b")


class NotebookError(Exception):
    """The file is not a notebook this grader can read; the message tells the student why."""


@dataclasses.dataclass(frozen=True)
class NotebookModule:
    """The code cells of a notebook as module source.

    ``cells`` holds, per code cell, ``(number, first line, line count)``: ``number``
    counts code cells from 1, ``first line`` is the cell's first line in ``source``.
    ``skipped`` holds ``(number, magic)`` for each cell a cell magic kept from running as
    Python (``(4, "%%bash")``); ``refused`` holds ``(number, name)`` for each
    ``%%writefile`` whose file would lie outside the notebook's folder.
    """

    name: str  # the notebook's file name, for messages
    source: str
    cells: tuple
    ignored_lines: int  # IPython lines kept as comments (those of skipped cells are in ``skipped``)
    skipped: tuple = ()
    refused: tuple = ()

    def cell_of(self, line):
        """``(code cell number, line within the cell)`` for module line ``line``, or None."""
        for number, first, count in self.cells:
            if first <= line < first + count:
                return number, line - first + 1
        return None

    def notes(self):
        """What the student is told about how the cells ran: one note naming the cells
        that were not run as Python, one naming the files ``%%writefile`` was refused."""
        notes = []
        if len(self.skipped) == 1:
            number, magic = self.skipped[0]
            notes.append(
                f"Code cell {number} starts with {inline_code(magic)}, so it was not run as Python; "
                "code your answers need belongs in a cell without it."
            )
        elif self.skipped:
            notes.append(
                f"Code cells {_listing(self.skipped)} start with cell magics that do not run Python, so they were "
                "not run; code your answers need belongs in cells without them."
            )
        if len(self.refused) == 1:
            number, name = self.refused[0]
            notes.append(
                f"Code cell {number} writes {inline_code(name)} with `%%writefile`, outside the notebook's folder, "
                "so the grader refused it and the file was not written: files are written only inside the "
                "notebook's folder (a name without `..`, `~` or a leading `/`)."
            )
        elif self.refused:
            notes.append(
                f"Code cells {_listing(self.refused)} write files outside the notebook's folder with `%%writefile`, "
                "so the grader refused them and none was written: files are written only inside the notebook's "
                "folder (names without `..`, `~` or a leading `/`)."
            )
        return tuple(notes)


def _listing(entries):
    """``4 (`%%bash`), 7 (`%%html`) and 9 (`%%sh`)``: at most :data:`MAX_CELLS_NAMED` named."""
    named = [f"{number} ({inline_code(text)})" for number, text in entries[:MAX_CELLS_NAMED]]
    if len(entries) > MAX_CELLS_NAMED:
        return f"{', '.join(named)} and {len(entries) - MAX_CELLS_NAMED} more"
    return f"{', '.join(named[:-1])} and {named[-1]}"


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
    skipped, refused, stand_ins = [], [], False
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict):
            raise NotebookError(f"{inline_code(name)} is damaged: its cell {index + 1} is not a cell.")
        if cell.get("cell_type") != "code":
            continue
        number += 1
        text = _cell_text(cell.get("source", ""), name, index)
        converted = _Cell()
        _convert(text.splitlines() or [""], text.splitlines(keepends=True) or [""], converted)
        ignored += converted.ignored
        if converted.skipped:
            skipped.append((number, converted.skipped))
        refused += [(number, file_name) for file_name in converted.refused]
        stand_ins = stand_ins or converted.stand_ins or _uses_stand_ins(text)
        cells.append((number, len(lines) + 1, len(converted.lines)))
        lines += converted.lines + converted.after
    if not cells:
        raise NotebookError(f"{inline_code(name)} has no code cells, so there is nothing to grade.")
    if stand_ins:
        future = _future_imports_end(lines)
        if future is None:
            lines.insert(0, _PRELUDE)
            cells = [(number, first + 1, count) for number, first, count in cells]
        else:  # after them, on their last line: a future import must come first
            code, hash_mark, comment = lines[future].partition("#")  # an import's names hold no "#"
            lines[future] = f"{code.rstrip()}; {_PRELUDE}" + (f"  #{comment}" if hash_mark else "")
    return NotebookModule(
        name=name, source="\n".join(lines) + "\n", cells=tuple(cells), ignored_lines=ignored,
        skipped=tuple(skipped), refused=tuple(refused),
    )


def _uses_stand_ins(text):
    """Whether a cell's text names ``display`` or ``get_ipython``."""
    return ("display" in text or "get_ipython" in text) and _STAND_IN_NAMES.search(text) is not None  # in first: cheaper


def _cell_text(source, name, index):
    if isinstance(source, list) and all(isinstance(piece, str) for piece in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookError(f"{inline_code(name)} is damaged: the source of its cell {index + 1} is not text.")
    if _SURROGATE.search(source):  # JSON's "\ud800" escape: no UTF-8 module can hold it
        raise NotebookError(f"{inline_code(name)} is damaged: the source of its cell {index + 1} is not valid Unicode text.")
    return source


@dataclasses.dataclass
class _Cell:
    """One code cell as it is converted: its module lines (exactly one per line of the
    cell), the lines the grader adds after it, and what the conversion found."""

    lines: list = dataclasses.field(default_factory=list)
    after: list = dataclasses.field(default_factory=list)  # %%capture's end, innermost first
    ignored: int = 0
    skipped: str = ""  # the cell magic that kept the cell from running as Python
    refused: list = dataclasses.field(default_factory=list)  # %%writefile names outside the folder
    stand_ins: bool = False  # whether the module needs the prelude


def _convert(lines, pieces, cell):
    """Add to ``cell`` one module line per line of a cell: ``lines`` without their line
    ends, ``pieces`` with them. A cell magic at the top decides how the rest is read, as
    IPython does: ``%%time`` hands its body on to be read again, so magics stack (in a
    loop, not by recursion: a cell may stack thousands)."""
    ends = []  # the lines ending each %%capture, outermost first
    position = 0
    while True:
        start = position
        while start < len(lines) and not lines[start].strip():
            start += 1
        if start == len(lines) or not lines[start].lstrip().startswith("%%"):
            converted, count = _python_lines(lines[position:])
            cell.lines += converted
            cell.ignored += count
            break
        if start > position:  # blank lines, which IPython drops before the magic
            cell.lines += lines[position:start]
        magic_line = lines[start].strip()
        magic, arguments = _CELL_MAGIC.match(magic_line).groups()
        comment = f"# {magic_line}"
        position = start + 1  # the body
        if magic == "capture":
            stdout, stderr, variable = _capture_options(arguments)
            cell.lines.append(f"_grader_notebook.capture_begin({stdout}, {stderr})  {comment}")
            cell.stand_ins = True
            ends.append(f"{variable} = _grader_notebook.capture_end()" if variable else "_grader_notebook.capture_end()")
        elif magic in RUNS_BODY:
            setup = _timeit_setup(arguments) if magic == "timeit" else ""
            cell.lines.append(f"{setup}  {comment}" if setup else comment)
        elif magic in WRITES_FILE and _writefile_target(arguments) is not None:
            append, file_name = _writefile_target(arguments)
            if _leaves_the_folder(file_name):
                cell.refused.append(file_name)  # and refused again in the sandbox, which decides
            cell.stand_ins = True
            cell.lines += _writefile_lines(file_name, append, pieces[position:], comment)
            break
        else:  # not Python (%%bash, %%html, %%script, unknown): nothing of the cell runs
            cell.skipped = f"%%{magic}"
            cell.lines += [f"# {line}" if line.strip() else line for line in lines[start:]]
            break
    cell.after += reversed(ends)


def _python_lines(cell_lines):
    """The cell's lines with IPython syntax turned into comments; and how many were."""
    out, count = [], 0
    for line in cell_lines:
        if ("%" in line or "!" in line or "?" in line) and _IPYTHON_LINE.match(line):  # the test first: it is cheaper
            indent = line[: len(line) - len(line.lstrip())]
            # Indented, the line may be a block's only statement: keep the block valid.
            out.append(f"{indent}pass  # {line.lstrip()}" if indent else f"# {line}")
            count += 1
        else:
            out.append(line)
    return out, count


def _capture_options(arguments):
    """``(stdout, stderr, variable)`` of ``%%capture [--no-stdout] [--no-stderr] [--no-display] [var]``:
    which streams are hidden, and the variable left holding them ("" for none)."""
    words = arguments.split()
    variable = next((word for word in words if not word.startswith("-")), "")
    if not variable.isidentifier() or keyword.iskeyword(variable):
        variable = ""
    return "--no-stdout" not in words, "--no-stderr" not in words, variable


def _timeit_setup(arguments):
    """The setup statement of ``%%timeit [-n N -r R ...] [setup]``, after its options."""
    position = 0
    while True:
        option = _TIMEIT_OPTION.match(arguments, position)
        if option is None:
            return arguments[position:].strip()
        position = option.end()


def _writefile_target(arguments):
    """``(append, name)`` of ``%%writefile [-a|--append] NAME`` (quotes around NAME
    removed, as IPython does), or None when it names no file."""
    try:
        words = shlex.split(arguments, posix=False)  # posix=False: a backslash stays a backslash
    except ValueError:  # an unclosed quote
        words = arguments.split()
    append, name = False, None
    for word in words:
        if word in ("-a", "--append"):
            append = True
        elif name is None:
            name = word[1:-1] if len(word) > 1 and word[0] == word[-1] and word[0] in "'\"" else word
    return (append, name) if name else None


def _leaves_the_folder(name):
    """Whether a ``%%writefile`` name leaves the notebook's folder by its spelling: an
    absolute path, a home folder (``~``), a drive, or a ``..`` part. (The sandbox also
    refuses a name that leads out through a link.)"""
    return bool(re.match(r"[\\/~]|[A-Za-z]:", name)) or ".." in re.split(r"[\\/]", name)


def _writefile_lines(name, append, body, comment):
    """The module lines of a ``%%writefile`` cell from its magic line on: one call whose
    text is one string literal per body line (``repr`` escapes quotes, backslashes and
    every line end), so each body line keeps its module line. As in IPython, the text
    ends with ``"\n"``."""
    call = f"_grader_notebook.writefile({name!r}, {append}, ''"
    if not body:
        return [f"{call})  {comment}"]
    literals = [repr(piece) for piece in body]
    if not body[-1].endswith("\n"):  # IPython ends the cell with "\n" when it does not
        literals[-1] = repr(body[-1] + "\n")
    literals[-1] += ")"
    return [f"{call}  {comment}", *literals]


def _future_imports_end(lines):
    """The index of the last line of the module's leading ``from __future__`` imports
    (which must precede every other statement), or None when it has none."""
    end, continued = None, ""
    for index, line in enumerate(lines):
        code = line.partition("#")[0].strip()
        if continued == "(":
            continued = "" if ")" in code else "("
        elif continued == "\\":
            continued = "\\" if code.endswith("\\") else ""
        elif not code:
            continue
        elif _FUTURE_IMPORT.match(line):
            continued = "(" if "(" in code and ")" not in code else "\\" if code.endswith("\\") else ""
        else:
            break
        end = index
    return end


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
