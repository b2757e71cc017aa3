"""Notebook submissions: code cells become the module line for line, IPython syntax is
ignored, feedback names the cell, and malformed notebooks get a clear message."""

import gc
import json
import os
import threading
from pathlib import Path

import pytest
import yaml

from autograder import grading
from autograder import notebook as notebook_reading
from autograder.notebook import NotebookError, NotebookPlace, notebook_module, read_notebook
from autograder.sandbox.errors import ImportFailed, MissingFunction, StudentRaised, place_in_file
from autograder.sandbox import isolation
from autograder.sandbox.session import Sandbox
from autograder.submission import SubmissionProblem, locate

NOTEBOOKS = Path(__file__).with_name("notebooks")
SAMPLES = sorted(folder.name for folder in NOTEBOOKS.iterdir() if (folder / "expected.yaml").is_file())
MODULE = "we_recur.py"


def notebook(*cells, nbformat=4):
    """Notebook JSON from ``(cell type, source)`` pairs."""
    return {
        "nbformat": nbformat,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": kind, "metadata": {}, "source": source} for kind, source in cells],
    }


@pytest.fixture(scope="module")
def graded():
    """Each sample folder graded by autograder.grading.grade, as ``grade`` does."""
    isolation.use_slot(7)  # a sandbox user of this process's own (see tests/test_batch.py)
    try:
        rubric = grading.load()
        yield {name: grading.grade(NOTEBOOKS / name, rubric).results.to_json() for name in SAMPLES}
    finally:
        isolation.use_slot(0)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_scores_its_expected_yaml(graded, name):
    expected = yaml.safe_load((NOTEBOOKS / name / "expected.yaml").read_text())
    scores = {}
    for test in graded[name]["tests"]:
        scores[test["extra_data"]["part"]] = scores.get(test["extra_data"]["part"], 0.0) + test["score"]
    assert scores == pytest.approx(expected["scores"], abs=1e-3)
    for part, needles in (expected.get("feedback_contains") or {}).items():
        # what the student reads of the part: its checks, and the summary, which states an
        # import failure once for them all
        outputs = [graded[name]["output"]] + [t["output"] for t in graded[name]["tests"] if t["extra_data"]["part"] == part]
        text = "\n".join(outputs).lower()
        for needle in needles:
            assert needle.lower() in text, f"{name} ({part}) lacks {needle!r}"


def test_the_report_says_a_notebook_was_graded(graded):
    assert "Graded the code cells of `we_recur.ipynb` as one module" in graded["correct"]["output"]
    assert "IPython line(s)" in graded["correct"]["output"]
    assert "its only notebook" in graded["colab_other_name"]["output"]


# -- conversion ------------------------------------------------------------------------------


def test_code_cells_become_the_module_line_for_line():
    module = notebook_module(
        notebook(
            ("markdown", "# title"),
            ("code", ["import numpy as np\n", "%matplotlib inline\n", "!pip install numpy"]),
            ("code", "%%bash\necho hi\n\nls"),
            ("raw", "raw text"),
            ("code", "def f():\n    %time g()\n    return 1\nout = !ls\nx = 5 % 3\ny = a != b"),
        ),
        "n.ipynb",
    )
    assert module.source.splitlines() == [
        "import numpy as np",
        "# %matplotlib inline",
        "# !pip install numpy",
        "# %%bash",
        "# echo hi",
        "",
        "# ls",
        "def f():",
        "    pass  # %time g()",
        "    return 1",
        "# out = !ls",
        "x = 5 % 3",
        "y = a != b",
    ]
    assert module.cells == ((1, 1, 3), (2, 4, 4), (3, 8, 6))
    assert module.ignored_lines == 7
    compile(module.source, "we_recur.py", "exec")  # what remains is Python
    assert module.cell_of(9) == (3, 2) and module.cell_of(4) == (2, 1) and module.cell_of(99) is None


def test_place_names_the_cell_only_for_the_generated_module():
    module = notebook_module(notebook(("code", "a = 1"), ("code", "b = 2\nc = 3")), "hw.ipynb")
    place = NotebookPlace(module, MODULE, place_in_file)
    assert place(MODULE, 3) == "`hw.ipynb`, code cell 2, line 2"
    assert place("helpers.py", 3) == place_in_file("helpers.py", 3)
    assert place(MODULE, None) == place_in_file(MODULE, None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "not valid JSON (line 1"),
        (json.dumps(notebook(("code", "x = 1"), nbformat=3)), "format 3"),
        (json.dumps({"nbformat": 3, "worksheets": []}), "format 3"),
        (json.dumps([1, 2]), "no list of cells"),
        (json.dumps(notebook(("markdown", "only words"))), "no code cells"),
        (json.dumps(notebook(("code", 42))), "is not text"),
        (json.dumps({"nbformat": 4, "cells": ["x"]}), "is not a cell"),
        ("\udcff", "not valid JSON"),
    ],
)
def test_malformed_notebooks_are_a_submission_problem(tmp_path, content, message):
    path = tmp_path / "we_recur.ipynb"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(SubmissionProblem) as caught:
        locate(path, MODULE)
    assert message in caught.value.feedback
    assert "`we_recur.ipynb`" in caught.value.feedback and MODULE in caught.value.feedback


# -- which file is graded ------------------------------------------------------------------------


def make(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook(("code", "x = 1"))) if name.endswith(".ipynb") else "x = 1\n")
    return folder


def test_the_module_wins_over_a_notebook(tmp_path):
    folder = make(tmp_path, MODULE, "we_recur.ipynb")
    assert locate(folder, MODULE).module == folder / MODULE


def test_notebook_named_like_the_module_wins_and_other_files_are_its_helpers(tmp_path):
    folder = make(tmp_path / "up", "we_recur.ipynb", "helpers.py", "data/x.csv")
    located = locate(folder, MODULE)
    assert located.module.name == MODULE and located.folder is not None
    assert (located.folder / "helpers.py").is_file() and (located.folder / "data" / "x.csv").is_file()
    assert located.module.read_text() == "x = 1\n"
    assert not (folder / MODULE).exists(), "the student's folder is never written to"


def test_the_only_python_file_wins_over_a_notebook_of_another_name(tmp_path):
    folder = make(tmp_path, "answers.py", "scratch.ipynb")
    assert locate(folder, MODULE).module == folder / "answers.py"


def test_the_only_notebook_is_graded_with_a_note(tmp_path):
    folder = make(tmp_path, "Copy of hw.ipynb", "README.md")
    located = locate(folder, MODULE)
    assert "`Copy of hw.ipynb`, its only notebook" in located.notes[0]


def test_several_notebooks_none_named_as_expected(tmp_path):
    folder = make(tmp_path, "a.ipynb", "b.ipynb")
    with pytest.raises(SubmissionProblem, match="several notebooks"):
        locate(folder, MODULE)


def test_nested_notebook(tmp_path):
    folder = make(tmp_path / "up", "hw7/we_recur.ipynb", "hw7/helpers.py")
    located = locate(folder, MODULE)
    assert located.module == located.folder / "hw7" / MODULE
    assert "sub-folder" in located.notes[0]


def test_generated_module_is_removed_with_its_located(tmp_path):
    folder = make(tmp_path, "we_recur.ipynb")
    located = locate(folder, MODULE)
    workspace = Path(located.workspace.name)
    assert workspace.is_dir()
    del located
    gc.collect()
    assert not workspace.exists()


# -- feedback names the cell --------------------------------------------------------------------


@pytest.fixture
def own_sandbox_user():
    isolation.use_slot(7)
    yield
    isolation.use_slot(0)


def test_syntax_error_names_the_cell(own_sandbox_user):
    located = locate(NOTEBOOKS / "syntax_error", MODULE)
    with Sandbox(located.module, folder=located.folder, place=located.place) as sandbox:
        with pytest.raises(ImportFailed) as caught:
            sandbox.import_module()
    assert "`we_recur.ipynb`, code cell 3, line 1" in caught.value.feedback


def test_exception_names_the_cell(own_sandbox_user):
    located = locate(NOTEBOOKS / "raises_in_cell" / "we_recur.ipynb", MODULE)
    with Sandbox(located.module, folder=located.folder, place=located.place) as sandbox:
        sandbox.import_module()
        with pytest.raises(StudentRaised) as caught:
            sandbox.call("rnn_b_f2", [[1.0], [2.0]])
    assert "`we_recur.ipynb`, code cell 4, line 3" in caught.value.feedback
    assert "not done yet" in caught.value.feedback


def test_feedback_names_the_notebook_not_the_generated_module(tmp_path, own_sandbox_user):
    path = tmp_path / "hw7.ipynb"
    path.write_text(json.dumps(notebook(("code", "def rnn_a_shapes():\n    return {}"))))
    located = locate(path, MODULE)
    with Sandbox(located.module, folder=located.folder, place=located.place, shown_as=located.shown_as) as sandbox:
        sandbox.import_module()
        with pytest.raises(MissingFunction) as caught:
            sandbox.call("rnn_b_f2", [[1.0], [2.0]])
    assert "Define it at the top level of the code cells of `hw7.ipynb`" in caught.value.feedback
    assert MODULE not in caught.value.feedback

    path.write_text(json.dumps(notebook(("code", "raise ValueError('not yet')"))))
    located = locate(path, MODULE)
    with Sandbox(located.module, folder=located.folder, place=located.place, shown_as=located.shown_as) as sandbox:
        with pytest.raises(ImportFailed) as caught:
            sandbox.import_module()
    assert "Importing the code cells of `hw7.ipynb` raised `ValueError: not yet`" in caught.value.feedback
    assert "`hw7.ipynb`, code cell 1, line 1" in caught.value.feedback


def test_read_notebook_reads_a_file(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(notebook(("code", "x = 1"))))
    assert read_notebook(path).source == "x = 1\n"


# -- what the grader reads, and how much ----------------------------------------------------------


def test_a_notebook_that_is_a_link_is_not_read(tmp_path):
    path = tmp_path / "we_recur.ipynb"
    os.symlink("/etc/shadow", path)
    with pytest.raises(NotebookError, match="`we_recur.ipynb` is a symbolic link"):
        read_notebook(path)


def test_a_fifo_is_not_waited_for(tmp_path):
    path = tmp_path / "we_recur.ipynb"
    os.mkfifo(path)
    raised = []
    reader = threading.Thread(target=lambda: raised.append(pytest.raises(NotebookError, read_notebook, path)), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():
        with open(path, "wb"):  # let the blocked reader go
            pass
        pytest.fail("read_notebook waited for a writer")
    assert "not a regular file" in str(raised[0].value)


def test_a_notebook_over_the_size_cap_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    assert notebook_reading.MAX_NOTEBOOK_BYTES == 20 * 2**20
    monkeypatch.setattr(notebook_reading, "MAX_NOTEBOOK_BYTES", 1000)
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(notebook(("code", "x = 1" + " " * 2000))))
    with pytest.raises(NotebookError, match=r"`hw.ipynb` is larger than \d+ MB, the most the grader reads"):
        read_notebook(path)


def test_a_notebook_over_the_cell_cap_is_refused(tmp_path):
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(notebook(*[("code", "x = 1")] * 5001)))
    with pytest.raises(NotebookError, match="`hw.ipynb` has 5001 cells; the grader reads notebooks of at most 5000"):
        read_notebook(path)
    path.write_text(json.dumps(notebook(*[("code", "x = 1")] * 5000)))
    assert len(read_notebook(path).cells) == 5000


@pytest.mark.parametrize("depth", [65, 100_000])
def test_a_notebook_nested_too_deep_is_refused_before_parsing(tmp_path, depth):
    path = tmp_path / "hw.ipynb"
    data = notebook(("code", "x = 1"))
    data["metadata"] = {"deep": "placeholder"}
    path.write_text(json.dumps(data).replace('"placeholder"', "[" * depth + "]" * depth))
    with pytest.raises(NotebookError, match="`hw.ipynb` nests its JSON more than 64 levels deep"):
        read_notebook(path)


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path):
    path = tmp_path / "hw.ipynb"
    source = 'brackets = "' + "[{" * 1000 + '\\"' + "]}" * 1000 + '"'
    path.write_text(json.dumps(notebook(("code", source))))
    assert read_notebook(path).source == source + "\n"


def test_a_cell_that_is_not_valid_unicode_is_a_submission_problem(tmp_path):
    path = tmp_path / "we_recur.ipynb"
    path.write_text(json.dumps(notebook(("code", "x = '\ud800'"))))
    with pytest.raises(SubmissionProblem, match="cell 1"):
        locate(path, MODULE)
