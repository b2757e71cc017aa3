"""Build time: a check module's source as the kit ships it, without what students may
not read.

A check module can hold visible and hidden checks side by side, and the text a grader
needs beside its code: docstrings and comments that explain the answer, and tables of
recognised mistakes whose entries are near-answers written as formulas. The kit ships

- only the visible checks: the hidden checks' statements go (their ids, names, inputs
  and hints), then every top-level definition that only they used, until nothing
  unused remains;
- no mistake table (:data:`MISTAKE_TABLES`): a function that reads one is reduced to
  its last ``return``, what it answers when it recognises nothing (so the kit's message
  is the check's general one where Gradescope may name the mistake), and the table
  then goes as unused;
- no docstring and no comment: the module is parsed, pruned and written back with
  :func:`ast.unparse`, which keeps neither.
"""

import ast
import inspect

#: Top-level names of check modules that hold recognised mistakes, never shipped.
MISTAKE_TABLES = frozenset({"COMMON_MISTAKES", "LOOKALIKES"})


def visible_source(module, keep):
    """The source of check module ``module`` keeping only the checks whose ids are in
    ``keep``, without docstrings, comments or mistake tables; None when none of its
    checks is kept."""
    tree = ast.parse(inspect.getsource(module))
    check_ids = {name: value.__check_id__ for name, value in vars(module).items() if hasattr(value, "__check_id__")}
    kept_checks = {name for name, check_id in check_ids.items() if check_id in keep}
    if not kept_checks:
        return None
    remaining = [s for s in tree.body if not _bound_names(s) & (set(check_ids) - kept_checks)]
    for statement in remaining:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and _used_names(statement) & MISTAKE_TABLES:
            statement.body = [_fallback(statement)]
    while True:
        unused = [
            statement
            for statement in remaining
            if _bound_names(statement)
            and not _bound_names(statement) & kept_checks
            and not any(name.startswith("__") for name in _bound_names(statement))
            and not _bound_names(statement) & set().union(*(_used_names(s) for s in remaining if s is not statement))
        ]
        if not unused:
            break
        remaining = [s for s in remaining if s not in unused]
    tree.body = remaining
    _drop_docstrings(tree)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _fallback(function):
    """The last ``return`` of ``function``'s body (``return None`` if it has none)."""
    last = function.body[-1]
    return last if isinstance(last, ast.Return) else ast.Return(value=ast.Constant(None))


def _drop_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(
                body[0].value.value, str
            ):
                node.body = body[1:] or [ast.Pass()]


def _bound_names(statement):
    """Names a top-level definition binds (imports bind names too, but are kept)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}
    return set()


def _used_names(statement):
    return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
