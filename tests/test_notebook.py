"""Notebook submissions: code cells become the module line for line, run as IPython runs
them (cell magics that run their body run it, %%writefile writes in the sandbox, display
and get_ipython are harmless, other IPython syntax is ignored), feedback names the cell
and the cells not run, and malformed notebooks get a clear message."""

import ast
import gc
import json
import os
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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
    for needle in expected.get("output_contains") or ():
        assert needle in graded[name]["output"], f"{name}'s report lacks {needle!r}"
    for needle in expected.get("output_lacks") or ():
        assert needle not in graded[name]["output"], f"{name}'s report shows {needle!r}"


@pytest.mark.parametrize("name", ["writefile_helper", "timeit_capture"])
def test_run_autograder_gives_a_magic_notebook_the_same_results(graded, gradescope_runner, tmp_path, name):
    """As Gradescope runs it (as root, the sandbox user writing the scratch copy): the same
    scores, the same report."""
    run = gradescope_runner(NOTEBOOKS / name, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    results = run.results
    assert [(t["name"], t["score"], t["output"]) for t in results["tests"]] == [
        (t["name"], t["score"], t["output"]) for t in graded[name]["tests"]
    ]
    assert results["score"] == 12 and results["output"] == graded[name]["output"]


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
    assert module.ignored_lines == 4  # the %%bash cell's lines are not counted: the cell is named instead
    assert module.skipped == ((2, "%%bash"),)
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


# -- cell magics ----------------------------------------------------------------------------------


def source_lines(module):
    """The module's lines without the grader's prelude (its first line, when present)."""
    lines = module.source.splitlines()
    return lines[1:] if lines[0].startswith("_grader_notebook = ") else lines


def test_magics_that_run_their_body_keep_each_body_line_at_its_line():
    module = notebook_module(
        notebook(
            ("code", "%%time\ndef f():\n    %time g()\n    return 1"),
            ("code", "\n%%timeit -n 3 -r 1 z = f()\nz + 1"),
            ("code", "%%capture out\n%%time\nprint('hidden')\nw = 2"),
            ("code", "%%prun -s cumulative\nv = f()"),
        ),
        "n.ipynb",
    )
    assert source_lines(module) == [
        "# %%time",
        "def f():",
        "    pass  # %time g()",
        "    return 1",
        "",
        "z = f()  # %%timeit -n 3 -r 1 z = f()",
        "z + 1",
        "_grader_notebook.capture_begin(True, True)  # %%capture out",
        "# %%time",
        "print('hidden')",
        "w = 2",
        "out = _grader_notebook.capture_end()",  # the grader's line, in no cell
        "# %%prun -s cumulative",
        "v = f()",
    ]
    # Line 1 is the prelude (%%capture needs it); the line ending %%capture is in no cell.
    assert module.cells == ((1, 2, 4), (2, 6, 3), (3, 9, 4), (4, 14, 2))
    assert module.cell_of(4) == (1, 3) and module.cell_of(12) == (3, 4) and module.cell_of(13) is None
    assert module.cell_of(1) is None and module.cell_of(15) == (4, 2)
    assert module.ignored_lines == 1 and module.skipped == ()
    compile(module.source, MODULE, "exec")


def test_thousands_of_stacked_magics_are_read_without_recursion():
    module = notebook_module(notebook(("code", "%%time\n%%capture\n" * 5000 + "x = 1")), "n.ipynb")
    assert module.cells == ((1, 2, 10_001),) and module.source.splitlines().count("_grader_notebook.capture_end()") == 5000
    assert module.source.splitlines()[10_001] == "x = 1"


@pytest.mark.parametrize(
    ("arguments", "setup"),
    [("", ""), ("-n 3 -r 2 z = f()", "z = f()"), ("-n10 -qo", ""), ("-t x = [1, -2]", "x = [1, -2]"), ("-o -p 4 y=1", "y=1")],
)
def test_timeit_runs_its_setup_statement_after_its_options(arguments, setup):
    assert notebook_reading._timeit_setup(arguments) == setup


@pytest.mark.parametrize(
    ("arguments", "options"),
    [
        ("", (True, True, "")),
        ("out", (True, True, "out")),
        ("--no-stderr out", (True, False, "out")),
        ("--no-stdout --no-display", (False, True, "")),
        ("class", (True, True, "")),  # not a name Python can assign
        ("out.x", (True, True, "")),
    ],
)
def test_capture_options(arguments, options):
    assert notebook_reading._capture_options(arguments) == options


@pytest.mark.parametrize(
    ("arguments", "target"),
    [
        ("helpers.py", (False, "helpers.py")),
        ("-a helpers.py", (True, "helpers.py")),
        ("helpers.py --append", (True, "helpers.py")),
        ("'my helpers.py'", (False, "my helpers.py")),
        ('"sub\\\\h.py"', (False, "sub\\\\h.py")),
        ("'unclosed.py", (False, "'unclosed.py")),
        ("", None),
        ("-a", None),
    ],
)
def test_writefile_target(arguments, target):
    assert notebook_reading._writefile_target(arguments) == target


def written_text(module):
    """What each ``%%writefile`` call of ``module`` writes: ``(name, append, text)``, read
    from the generated source by the parser alone, never run."""
    import ast

    calls = [
        node for node in ast.walk(ast.parse(module.source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "writefile"
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "_grader_notebook"
    ]
    return [tuple(ast.literal_eval(argument) for argument in call.args) for call in calls]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_writefile_body_is_encoded_exactly_and_line_for_line(body):
    cell = "%%writefile data.txt\n" + body
    module = notebook_module(notebook(("code", cell), ("code", "after = 1")), "n.ipynb")
    assert written_text(module) == [("data.txt", False, body if body.endswith("\n") or not body else body + "\n")]
    assert module.cells[0][2] == len(cell.splitlines()), "one module line per line of the cell"
    assert module.cell_of(module.cells[1][1]) == (2, 1)
    assert source_lines(module)[-1] == "after = 1"


def test_writefile_keeps_quotes_backslashes_and_non_ascii():
    body = "s = '''it's \"\"\" \\\\ \\n'''\nt = \"é σ ∑ \\u2028\"\r\nraw = r'\\'\n"
    module = notebook_module(notebook(("code", "%%writefile -a h.py\n" + body), ("code", "%%file empty.py")), "n.ipynb")
    assert written_text(module) == [("h.py", True, body), ("empty.py", False, "")]


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("../escape.py", True), ("/tmp/x.py", True), ("~/x.py", True), ("sub/../../x.py", True), ("C:\\x.py", True),
        ("..\\x.py", True), ("\\\\server\\x.py", True),
        ("sub/x.py", False), ("x..py", False), ("..x.py", False), ("helpers.py", False),
    ],
)
def test_writefile_names_that_leave_the_folder_are_refused(name, refused):
    module = notebook_module(notebook(("code", "x = 1"), ("code", f"%%writefile {name}\ny = 2")), "n.ipynb")
    assert module.refused == (((2, name),) if refused else ())
    assert written_text(module)[0][0] == name, "the sandbox refuses it too: the call stays"


def test_cells_a_magic_skips_are_named_in_one_note():
    module = notebook_module(
        notebook(("code", "%%bash\necho hi"), ("code", "x = 1"), ("code", "%%time\n%%html\n<b>hi</b>"), ("code", "%%writefile")),
        "n.ipynb",
    )
    assert module.skipped == ((1, "%%bash"), (3, "%%html"), (4, "%%writefile"))
    assert source_lines(module) == ["# %%bash", "# echo hi", "x = 1", "# %%time", "# %%html", "# <b>hi</b>", "# %%writefile"]
    assert module.ignored_lines == 0
    assert module.notes() == (
        "Code cells 1 (`%%bash`), 3 (`%%html`) and 4 (`%%writefile`) start with cell magics that do not run Python, "
        "so they were not run; code your answers need belongs in cells without them.",
    )
    one = notebook_module(notebook(("code", "x = 1"), ("code", "x = 1"), ("code", "x = 1"), ("code", "%%bash\nls")), "n.ipynb")
    assert one.notes() == (
        "Code cell 4 starts with `%%bash`, so it was not run as Python; code your answers need belongs in a cell without it.",
    )
    many = notebook_module(notebook(*[("code", "%%script bash\nls")] * 13), "n.ipynb")
    assert len(many.notes()) == 1 and many.notes()[0].startswith("Code cells 1 (`%%script`), 2 (`%%script`)")
    assert "10 (`%%script`) and 3 more start with" in many.notes()[0]


def test_the_notes_reach_the_student_through_locate(tmp_path):
    path = tmp_path / "we_recur.ipynb"
    cells = [("code", "%%bash\nls"), ("code", "%%html\n<b>x</b>"), ("code", "%%writefile ../a.py\nx"), ("code", "%%writefile /b.py\nx")]
    path.write_text(json.dumps(notebook(*cells)))
    located = locate(path, MODULE)
    assert len(located.notes) == 3
    assert located.notes[1].startswith("Code cells 1 (`%%bash`) and 2 (`%%html`) start with cell magics")
    assert located.notes[2].startswith("Code cells 3 (`../a.py`) and 4 (`/b.py`) write files outside the notebook's folder")
    path.write_text(json.dumps(notebook(("code", "x = 1"))))
    assert len(locate(path, MODULE).notes) == 1, "nothing to say, no note"


# -- IPython's calls and help lines -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "converted"),
    [
        ("np.einsum?", "# np.einsum?"),
        ("?np.einsum", "# ?np.einsum"),
        ("??np.einsum", "# ??np.einsum"),
        ("np.einsum??", "# np.einsum??"),
        ("a.b[0]?", "# a.b[0]?"),
        ("np.*load*?", "# np.*load*?"),
        ("%time?", "# %time?"),
        ("    obj.method?", "    pass  # obj.method?"),
        ("x = a if b else c", "x = a if b else c"),
        ("print('why?')", "print('why?')"),
        ("# why?", "# why?"),
        ("d = {'a?': 1}", "d = {'a?': 1}"),
        ("1?", "1?"),
    ],
)
def test_help_lines_are_comments(line, converted):
    module = notebook_module(notebook(("code", f"if True:\n{line}" if line.startswith(" ") else line)), "n.ipynb")
    assert source_lines(module)[-1] == converted


def test_the_prelude_only_when_the_notebook_needs_it():
    plain = notebook_module(notebook(("code", "import numpy as np\nx = np.einsum('ii', np.eye(2))")), "n.ipynb")
    assert plain.source == "import numpy as np\nx = np.einsum('ii', np.eye(2))\n" and plain.cells == ((1, 1, 2),)
    for source in ("display(1)", "get_ipython().system('ls')", "%%capture\nx = 1", "%%writefile h.py\nx = 1"):
        module = notebook_module(notebook(("code", source)), "n.ipynb")
        assert module.source.startswith("_grader_notebook = "), source
        assert module.cells[0][1] == 2 and module.cell_of(1) is None
        place = NotebookPlace(module, MODULE, place_in_file)
        assert place(MODULE, 2) == "`n.ipynb`, code cell 1, line 1"


def test_the_prelude_comes_after_the_future_imports():
    source = (
        "# setup\nfrom __future__ import annotations  # for later\n\nfrom __future__ import (\n    division,\n)\n"
        "x: Later = 1\ndisplay(x)"
    )
    module = notebook_module(notebook(("code", source)), "n.ipynb")
    lines = module.source.splitlines()
    assert lines[5].startswith(")") and "; _grader_notebook = " in lines[5]
    assert lines[1] == "from __future__ import annotations  # for later" and lines[6:] == ["x: Later = 1", "display(x)"]
    assert module.cells == ((1, 1, 8),)
    compile(module.source, MODULE, "exec")  # the future imports still come first
    commented = notebook_module(notebook(("code", "from __future__ import annotations  # note\ndisplay(1)")), "n.ipynb")
    assert commented.source.splitlines()[0].endswith("vars(_grader_notebook))  # note")
    compile(commented.source, MODULE, "exec")


# -- in the sandbox -------------------------------------------------------------------------------


def imported(tmp_path, *cells):
    """The Sandbox of a notebook of ``cells`` in ``tmp_path/up``, imported; close it."""
    folder = tmp_path / "up"
    folder.mkdir(parents=True)
    (folder / "we_recur.ipynb").write_text(json.dumps(notebook(*[("code", cell) for cell in cells])), encoding="utf-8")
    located = locate(folder, MODULE)
    sandbox = Sandbox(located.module, folder=located.folder, place=located.place, shown_as=located.shown_as)
    report = sandbox.import_module()
    sandbox.located = located  # kept alive with the sandbox: it owns the generated module's folder
    return sandbox, report


def test_writefile_writes_in_the_sandbox_copy_and_a_later_import_finds_it(tmp_path, own_sandbox_user):
    data = "quotes ' \" ''' \"\"\" \\ é σ\n\tline two\r\n"
    sandbox, _ = imported(
        tmp_path,
        "%%writefile helpers.py\ndef twice(x):\n    return 2 * x",
        "%%writefile -a helpers.py\n\nHALF = 0.5",
        f"%%writefile sub/data.txt\n{data}",
        "import helpers\nfrom helpers import HALF\n\n"
        "def rnn_b_next_input(p_t):\n    return helpers.twice(p_t) * HALF\n\n"
        "def written():\n    with open('sub/data.txt', encoding='utf-8', newline='') as f:\n        return f.read()",
    )
    with sandbox:
        assert sandbox.call("rnn_b_next_input", 3.0) == 3.0
        assert sandbox.call("written") == data
        assert sandbox.printed_output() == ""
    assert sorted(p.name for p in (tmp_path / "up").iterdir()) == ["we_recur.ipynb"], "the grader wrote nothing"


def test_writefile_refuses_what_leaves_the_folder_in_the_sandbox(tmp_path, own_sandbox_user):
    sandbox, _ = imported(
        tmp_path,
        "import os\nos.symlink(os.path.dirname(os.getcwd()), 'up')",
        "%%writefile ../escape.py\nx = 1",
        "%%writefile up/escape.py\nx = 1",
        "%%writefile we_recur.py\nx = 1",
        "def escaped():\n    return [os.path.exists(p) for p in ('../escape.py', 'up/escape.py')]\n\n"
        "def module_text():\n    with open(__file__, encoding='utf-8') as f:\n        return f.read()",
    )
    with sandbox:
        assert sandbox.call("escaped") == [False, False]
        assert "def escaped():" in sandbox.call("module_text"), "the generated module was not replaced"
        printed = sandbox.printed_output()
    assert "%%writefile ../escape.py: refused, because its name leads out of the notebook's folder" in printed
    assert "%%writefile up/escape.py: refused, because it leads out of the notebook's folder" in printed
    assert "%%writefile we_recur.py: refused, because it would replace the module the grader made" in printed
    assert sandbox.located.notes[1].startswith("Code cell 2 writes `../escape.py` with `%%writefile`")


def test_capture_hides_the_output_and_keeps_it(tmp_path, own_sandbox_user):
    sandbox, _ = imported(
        tmp_path,
        "%%capture out\nprint('hidden out')\nimport sys\nprint('hidden err', file=sys.stderr)",
        "%%capture --no-stdout\nprint('shown despite capture')\nprint('hidden err', file=sys.stderr)",
        "print('shown after')\n\ndef captured():\n    return [out.stdout, out.stderr, str(out), out.outputs]",
    )
    with sandbox:
        assert sandbox.call("captured") == ["hidden out\n", "hidden err\n", "hidden out\n", []]
        printed = sandbox.printed_output()
    assert "shown despite capture" in printed and "shown after" in printed and "hidden" not in printed


def test_display_and_get_ipython_are_harmless_and_the_notebooks_own_win(tmp_path, own_sandbox_user):
    sandbox, report = imported(
        tmp_path,
        "import numpy as np\ndisplay(np.eye(2), 'text')\nnp.eye?",
        "shell = get_ipython()\nshell.run_line_magic('matplotlib', 'inline')\nshell.system('ls')\n"
        "get_ipython().magic('load_ext autoreload')\n\n"
        "def calls():\n    return [shell.run_cell_magic('bash', '', 'ls'), shell.getoutput('ls'), display(1)]",
    )
    with sandbox:
        assert sandbox.call("calls") == [None, None, None]
        assert "array([[1., 0.]," in sandbox.printed_output() and "'text'" in sandbox.printed_output()
    assert "calls" in report.functions and "display" not in report.functions and "get_ipython" not in report.functions
    sandbox, report = imported(
        tmp_path / "own",
        "def display(*values):\n    return 'mine'\n\ndef shown():\n    return display(1)",
    )
    with sandbox:
        assert sandbox.call("shown") == "mine"
