"""What a submission imports that Gradescope's image does not have.

On the student's machine scipy or torch may well be installed, so a module that
imports one passes the self-check and then fails to import on Gradescope, where only
the standard library and the packages of the autograder zip's ``requirements.txt``
are. The self-check reads the module's source (never runs it) and names each such
import: every ``import`` and ``from ... import`` statement, inside functions too,
except those under a ``try`` that catches the ImportError (the student planned for
the package's absence).

:func:`gradescope_packages` runs when the kit is built, in the grader's environment;
the rest ships in the kit (standard library only).
"""

import ast
import dataclasses
import re
import sys
from pathlib import Path

#: Exceptions whose handler makes an import optional.
_CATCHES_IMPORT_ERROR = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
#: What a notebook's ``%%writefile NAME`` cell becomes in the module generated from it
#: (see ``autograder/notebook.py``): ``_grader_notebook.writefile("NAME", ...)``. The
#: file it writes beside the module is the student's own, like an uploaded helper.
_NOTEBOOK_STAND_INS, _WRITES_FILE = "_grader_notebook", "writefile"


@dataclasses.dataclass(frozen=True)
class Import:
    """One import statement: the top-level module it needs, where, and in which function."""

    module: str
    line: int
    function: str = ""  # "" at the module's top level


def _normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(text):
    """The distribution names a requirements file pins (``numpy==2.2.6`` gives ``numpy``);
    options (``-r``, ``--hash``) and comments are skipped."""
    names = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match and not line.startswith("-"):
            names.append(match.group(0))
    return names


def gradescope_packages(requirements):
    """``{distribution: [its importable top-level modules]}`` for each package the
    requirements file at ``requirements`` names, as installed in this environment
    (which the autograder's own requirements were installed into). Raises LookupError
    naming a package that is not installed here."""
    from importlib import metadata

    names = requirement_names(Path(requirements).read_text(encoding="utf-8"))
    provided = {}
    for module, distributions in metadata.packages_distributions().items():
        for distribution in distributions:
            if module.isidentifier():
                provided.setdefault(_normalized(distribution), set()).add(module)
    missing = [name for name in names if _normalized(name) not in provided]
    if missing:
        raise LookupError(f"{', '.join(missing)} (from {requirements}) is not installed where the kit is built")
    return {name: sorted(provided[_normalized(name)]) for name in names}


def imports(source):
    """Every :class:`Import` of ``source`` not guarded by an ``except ImportError``,
    in the order of the source, and the modules its notebook cells write (``%%writefile``).
    Raises SyntaxError."""
    finder = _ImportFinder()
    finder.visit(ast.parse(source))
    return finder.found, finder.written


class _ImportFinder(ast.NodeVisitor):
    def __init__(self):
        self.found = []
        self.written = set()
        self.functions = []
        self.guarded = 0

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Try(self, node):
        optional = any(_catches_import_error(handler.type) for handler in node.handlers)
        self.guarded += optional
        for statement in node.body:
            self.visit(statement)
        self.guarded -= optional
        for statement in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(statement)

    visit_TryStar = visit_Try  # except* (Python 3.11)

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node):
        if node.level == 0 and node.module:  # a relative import is of the student's own package
            self._add(node.module, node)

    def visit_Call(self, node):
        function, arguments = node.func, node.args
        if (isinstance(function, ast.Attribute) and function.attr == _WRITES_FILE
                and isinstance(function.value, ast.Name) and function.value.id == _NOTEBOOK_STAND_INS
                and arguments and isinstance(arguments[0], ast.Constant) and isinstance(arguments[0].value, str)):
            self.written.add(Path(arguments[0].value).name.split(".", 1)[0])
        self.generic_visit(node)

    def _add(self, name, node):
        if not self.guarded:
            self.found.append(Import(name.split(".")[0], node.lineno, self.functions[-1] if self.functions else ""))


def _catches_import_error(kind):
    if kind is None:  # a bare except
        return True
    if isinstance(kind, ast.Tuple):
        return any(_catches_import_error(item) for item in kind.elts)
    name = kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", "")
    return name in _CATCHES_IMPORT_ERROR


def local_modules(folder):
    """The names importable from ``folder`` itself: its Python files, extension
    modules and sub-folders (the student's helpers, uploaded beside the module)."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return set()
    names = set()
    for entry in entries:
        stem = entry.name.split(".", 1)[0]
        if entry.is_dir() or entry.suffix in (".py", ".pyd", ".so"):
            names.add(stem)
    return names


def missing_imports(source, available):
    """The imports of ``source`` whose module is neither in the standard library nor in
    ``available`` (Gradescope's packages' modules and the student's own) nor written by
    one of its notebook cells; [] for a source that does not parse (the import reports
    the syntax error)."""
    try:
        found, written = imports(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    present = set(sys.stdlib_module_names) | set(available) | written
    return [found_import for found_import in found if found_import.module not in present]
