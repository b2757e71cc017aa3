"""Tests for the reference package as a whole: its public names and its import boundary."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from questions.we_recur import reference

PACKAGE_DIR = Path(reference.__file__).parent


def test_public_api_is_exported():
    for name in reference.__all__:
        assert hasattr(reference, name), name
    for name in ("RNNA", "RNNB", "ForwardTrace", "Gradients", "Generation", "softmax", "activations", "answer_key"):
        assert name in reference.__all__, name
    assert reference.Gradients is reference.rnn_a.Gradients
    assert reference.RNNBGradients is reference.rnn_b.Gradients


def test_imports_only_numpy_and_the_standard_library():
    # The reference must know nothing of grading: no autograder, no third-party code
    # beyond numpy. sys.stdlib_module_names exists from Python 3.10, the project's floor.
    allowed = set(sys.stdlib_module_names) | {"numpy"}
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            for root in roots:
                assert root in allowed, f"{path.name} imports {root}"


def test_every_public_function_has_a_docstring():
    for module in (reference.activations, reference.losses, reference.rnn_a, reference.rnn_b, reference.answer_key):
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if callable(value):
                assert value.__doc__, f"{module.__name__}.{name}"
