"""Build time: a check module's source without the checks students may not see.

A check module can hold visible and hidden checks side by side. The kit ships its
source with the hidden checks' statements removed (their ids, names, inputs and
hints), then every top-level definition that only they used (constants such as a
hidden check's inputs, helpers), until nothing unused remains. The text that remains
is the original, line for line: only whole statements go, with the comments right
above them.
"""

import ast
import inspect


def visible_source(module, keep):
    """The source of check module ``module`` keeping only the checks whose ids are in
    ``keep``; None when none of its checks is kept."""
    source = inspect.getsource(module)
    tree = ast.parse(source)
    check_ids = {name: value.__check_id__ for name, value in vars(module).items() if hasattr(value, "__check_id__")}
    kept_checks = {name for name, check_id in check_ids.items() if check_id in keep}
    if not kept_checks:
        return None
    remaining = list(tree.body)
    removed = [s for s in remaining if _bound_names(s) & (set(check_ids) - kept_checks)]
    remaining = [s for s in remaining if s not in removed]
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
        removed += unused
        remaining = [s for s in remaining if s not in unused]
    return _without(source, removed)


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


def _without(source, statements):
    lines = source.splitlines(keepends=True)
    dropped = set()
    for statement in statements:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        while first > 1 and lines[first - 2].lstrip().startswith("#"):  # its comment goes with it
            first -= 1
        dropped.update(range(first, statement.end_lineno + 1))
    kept = [line for number, line in enumerate(lines, start=1) if number not in dropped]
    text = "".join(kept)
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text.rstrip("\n") + "\n"
