"""``python -m autograder student-kit``: the kit's self-check gives every sample the same
verdicts and messages as ``grade`` for the visible checks, runs where only numpy is
installed, and holds no reference code, no hidden check and no answer in plain text."""

import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from autograder import cli, grading
from questions.we_recur.checks import check_part_b, check_part_f
from autograder.kit.pruning import visible_source
from autograder.kit.sealed import Sealed, call_key, seal
from autograder.results import points
from autograder.sandbox import isolation

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
#: Rules that sample the next word generate inputs the kit never saw: it holds the
#: reference's answers only for the inputs the visible checks draw, so it cannot run the
#: reference network on a sampled generation, and it gives (e) no credit where Gradescope
#: gives the one-hot rule's half. The kit README says that (e)'s half credit is Gradescope's alone.
KIT_CANNOT_REPLAY = {"e_sampled_choice", "e_sampled_cumsum", "e_sampled_multinomial", "e_sampled_rng"}
SAMPLES = sorted(
    folder.name for folder in SUBMISSIONS.iterdir()
    if (folder / "expected.yaml").is_file() and folder.name not in KIT_CANNOT_REPLAY
)
#: Hidden in the test rubric: a check with literal inputs, one with drawn inputs, and
#: one made by a factory function (with (f)'s total hidden too, and items i-iii shown).
HIDDEN = ("d.overflow", "b.other_sizes", "f.iv", "f.statements")
#: Checks whose mistake tables the kit leaves out: where Gradescope names a recognised
#: mistake, the kit gives the check's general message.
DIAGNOSED = ("b.random_weights", "b.other_sizes", "d.random_inputs", "d.other_sizes")
HIDDEN_HINT = "A hidden hint that must never reach students."


def unzip(archive, destination):
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(destination)
    (folder,) = destination.iterdir()
    return folder


def kit_texts(folder):
    """``{path in the kit: text}`` of every file the kit's zip holds (beside the folder)."""
    with zipfile.ZipFile(folder.parent.parent / "kit.zip") as opened:
        return {
            name.split("/", 1)[1]: opened.read(name).decode("utf-8") for name in opened.namelist() if not name.endswith("/")
        }


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """The default rubric's kit, unzipped: its folder."""
    folder = tmp_path_factory.mktemp("kit")
    assert cli.main(["student-kit", "--out", str(folder / "kit.zip")]) == 0
    return unzip(folder / "kit.zip", folder / "unzipped")


def venv_with_numpy(folder):
    """A venv without pip at ``folder`` in which numpy (and numpy.libs, where it exists)
    is a link to the dev venv's copy; returns its python and its site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    target = Path(
        subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                       capture_output=True, text=True, check=True).stdout.strip()
    )
    source = Path(np.__file__).resolve().parent.parent
    for name in ("numpy", "numpy.libs"):
        if (source / name).exists():
            (target / name).symlink_to(source / name)
    return python, target


@pytest.fixture(scope="module")
def numpy_only_python(tmp_path_factory):
    """A Python with numpy and nothing else installed."""
    return venv_with_numpy(tmp_path_factory.mktemp("numpy-only"))[0]


def run_kit(python, kit_folder, *paths):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "PYTHON"))}
    return subprocess.run(
        [str(python), "check.py", *map(str, paths)], cwd=kit_folder, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def kit_reports(kit, numpy_only_python):
    """``{sample: report}``: the kit's self-check of every sample, run with numpy only."""
    done = run_kit(numpy_only_python, kit, "--json", *(SUBMISSIONS / name for name in SAMPLES))
    assert done.returncode in (0, 1), done.stderr
    return {Path(report["path"]).name: report for report in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def graded():
    """``{sample: results.json}`` from grading each sample as ``grade`` does."""
    isolation.use_slot(7)  # a sandbox user of this process's own (see tests/test_batch.py)
    try:
        rubric = grading.load()
        return {name: grading.grade(SUBMISSIONS / name, rubric).results.to_json() for name in SAMPLES}
    finally:
        isolation.use_slot(0)


# -- the self-check says what Gradescope says ------------------------------------------------


def test_the_environment_has_numpy_only(numpy_only_python):
    for module in ("yaml", "pytest", "gradescope_utils", "reference", "questions", "autograder"):
        done = subprocess.run([str(numpy_only_python), "-c", f"import {module}"], capture_output=True, cwd="/")
        assert done.returncode != 0, f"{module} is importable in the numpy-only venv"
    assert subprocess.run([str(numpy_only_python), "-c", "import numpy"], cwd="/").returncode == 0


def test_kit_gives_every_sample_the_same_verdicts_and_messages_as_grade(kit_reports, graded, sample):
    if sample in KIT_CANNOT_REPLAY:
        pytest.skip(f"{sample}: the kit holds no answers for a sampled generation (see KIT_CANNOT_REPLAY)")
    report = kit_reports[sample]
    tests = {test["extra_data"]["check"]: test for test in graded[sample]["tests"]}
    assert set(report["checks"]) == {check for check, test in tests.items() if test["visibility"] == "visible"}
    for check_id, mine in report["checks"].items():
        theirs = tests[check_id]
        assert mine["label"] == theirs["extra_data"]["outcome"], f"{sample} {check_id}"
        if mine["output"] != theirs["output"]:  # only where Gradescope names a mistake
            assert check_id in DIAGNOSED, f"{sample} {check_id}"
            first, *_, last = theirs["output"].split("\n\n")  # the verdict's first paragraph, the hint
            assert mine["output"].startswith(first) and mine["output"].endswith(last), f"{sample} {check_id}"
        assert points(mine["fraction"] * theirs["max_score"]) == theirs["score"], f"{sample} {check_id}"


def test_kit_text_report_and_exit_status(kit, numpy_only_python):
    right = run_kit(numpy_only_python, kit, SUBMISSIONS / "correct" / "we_recur.py")
    assert right.returncode == 0, right.stderr
    assert "Visible checks: 12 / 12 points" in right.stdout
    wrong = run_kit(numpy_only_python, kit, SUBMISSIONS / "b_no_transpose")
    assert wrong.returncode == 1
    assert "[FAIL] 0/2  (b) dLoss_t/dx_t on random weights" in wrong.stdout
    assert "Follow the chain" in wrong.stdout and "W_sx W_o g" not in wrong.stdout, "the kit names no mistake"
    template = run_kit(numpy_only_python, kit, "we_recur.py")  # the starter template, from the kit itself
    assert template.returncode == 1 and "NotImplementedError" in template.stdout


def test_kit_checks_a_notebook(kit, numpy_only_python):
    done = run_kit(numpy_only_python, kit, REPO / "tests" / "notebooks" / "raises_in_cell")
    assert "`we_recur.ipynb`, code cell 4, line 3" in done.stdout
    assert "[FAIL] 0/2  (d)" in done.stdout and "[PASS] 2/2  (b)" in done.stdout


def test_kit_without_numpy_says_how_to_install_it(kit, tmp_path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    done = run_kit(tmp_path / "bare" / "bin" / "python", kit, "we_recur.py")
    assert done.returncode != 0 and "pip install numpy" in done.stderr


def test_an_unrecorded_input_is_reported_not_passed(kit, numpy_only_python):
    script = (
        "import sys, numpy as np; sys.path.insert(0, '_selfcheck')\n"
        "from autograder.checks import NoAnswer\nfrom autograder.kit.replay import load\n"
        "answers = load('_selfcheck/answers.json')\n"
        "try:\n    answers.rnn_b_f2(np.full((2, 1), 0.5))\n"
        "except NoAnswer as miss:\n    print(miss)\n"
    )
    done = subprocess.run([str(numpy_only_python), "-c", script], cwd=kit, capture_output=True, text=True)
    assert "no recorded answer for `rnn_b_f2`" in done.stdout and "numpy" in done.stdout, done.stderr


# -- what the kit holds -------------------------------------------------------------------------


def test_kit_holds_the_handout_and_no_reference(kit):
    texts = kit_texts(kit)
    assert texts["README.md"].startswith((REPO / "autograder" / "kit" / "README.md").read_text().rstrip())
    assert texts["README.md"].endswith((REPO / "questions" / "we_recur" / "handout" / "README.md").read_text())
    assert texts["we_recur.py"] == (REPO / "questions" / "we_recur" / "handout" / "we_recur.py").read_text()
    assert "check.py" in texts
    references = [path.read_text() for path in (REPO / "questions" / "we_recur" / "reference").glob("*.py")]
    for name, text in texts.items():
        assert not name.startswith("reference/") and "/reference/" not in name
        assert text not in references, f"{name} is a copy of a reference module"
        assert "import reference" not in text and "from reference" not in text, name
    for example in (REPO / "questions" / "we_recur" / "example").glob("*.py"):
        assert example.read_text() not in texts.values()


def test_kit_holds_no_answer_in_plain_text(kit):
    texts = kit_texts(kit)
    everything = "\n".join(texts.values())
    # (tests/test_secrecy.py looks for every answer in more spellings.)
    for answer in ('"all_W_ssx": False', "'all_W_ssx': False", '"all_W_ssx":false', "(2, 4)", "(2, 2)", "[2, 4]",
                   "np.exp(z - np.max(z", "def softmax", "next_input_is_output", "def rnn_b_next_input(p_t):\n    return p_t"):
        assert answer not in everything, answer
    answers = json.loads(texts["_selfcheck/answers.json"])
    shapes = answers["calls"][call_key("rnn_b_shapes", (), {})]
    assert shapes == {"$dict": [["W_ssx", {"$sealed": seal((2, 4), answers["salt"])}], ["W_ox", {"$sealed": seal((2, 4), answers["salt"])}]]}
    part_f = answers["calls"][call_key("rnn_b_dloss_dx_depends_on", (), {})]
    assert all(set(value) == {"$sealed"} for _, value in part_f["$dict"])


def test_sealed_answers_compare_without_holding_the_value():
    sealed = Sealed(seal((2, 4), "salt"), "salt")
    assert (2, 4) == sealed and [2, 4] == sealed and not ((2, 4) != sealed)
    assert (4, 2) != sealed and "2, 4" != sealed and object() != sealed
    assert "2" not in repr(sealed) and "4" not in repr(sealed)
    assert Sealed(seal(True, "s"), "s") == True  # noqa: E712  a bool compares as the checks compare it
    assert Sealed(seal(True, "s"), "s") != False  # noqa: E712


@pytest.fixture(scope="module")
def hidden_kit(tmp_path_factory):
    """A kit built from the default rubric with three of its checks hidden."""
    folder = tmp_path_factory.mktemp("hidden")
    text = (REPO / "questions" / "we_recur" / "rubric.yaml").read_text()
    data = yaml.safe_load(text)
    for part in data["parts"]:
        for rule in part["checks"]:
            if rule["check"] in HIDDEN:
                rule["visibility"] = "hidden" if rule["check"] != "f.iv" else "after_due_date"
                rule["feedback"] = HIDDEN_HINT
            elif rule["check"].startswith("f."):
                rule["visibility"] = "visible"
    rubric = folder / "rubric.yaml"
    rubric.write_text(yaml.safe_dump(data, sort_keys=False))
    out = folder / "kit.zip"
    assert cli.main(["student-kit", "--out", str(out), "--rubric", str(rubric)]) == 0
    return unzip(out, folder / "unzipped")


def test_hidden_checks_leave_no_trace_in_the_kit(hidden_kit):
    texts = kit_texts(hidden_kit)
    everything = "\n".join(texts.values())
    for trace in (*HIDDEN, "check_overflow", "1000.0", "-1002.0", "f2 on inputs of large magnitude", "OTHER_SIZE_DRAWS",
                  "dLoss_t/dx_t at other sizes", "item_check('iv'", "check_f_iv", "grade_statements", HIDDEN_HINT):
        assert trace not in everything, trace
    rubric = json.loads(texts["_selfcheck/rubric.json"])
    assert rubric["has_hidden_checks"] is True
    assert len(rubric["rules"]) == 16 - len(HIDDEN) and not {r["check_id"] for r in rubric["rules"]} & set(HIDDEN)
    # the hidden checks' inputs were never recorded
    answers = json.loads(texts["_selfcheck/answers.json"])["calls"]
    assert call_key("rnn_b_f2", (np.array([[1000.0], [999.0]]),), {}) not in answers
    rng = np.random.default_rng([grading.load().seed, __import__("zlib").crc32(b"b.other_sizes")])
    first_draw = check_part_b.draw(rng, 3, 4, 5)
    assert call_key("rnn_a_dloss_dx", first_draw, {}) not in answers
    assert answers, "the visible checks' answers are there"
    # of the (f) key, only the items shown: item iv's answer is not recorded
    (part_f,) = [value for key, value in answers.items() if key == call_key("rnn_b_dloss_dx_depends_on", (), {})]
    assert [key for key, _ in part_f["$dict"]] == ["W_ox", "all_W_ox", "W_ssx"]


def test_hidden_kit_checks_the_visible_checks(hidden_kit):
    done = run_kit(sys.executable, hidden_kit, SUBMISSIONS / "d_naive_softmax")  # fails only d.overflow
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(d) f2 on inputs of large magnitude" not in done.stdout
    assert "Gradescope also runs checks that are not shown" in done.stdout


def test_kit_with_no_visible_check_is_refused(tmp_path, capsys):
    data = yaml.safe_load((REPO / "questions" / "we_recur" / "rubric.yaml").read_text())
    for part in data["parts"]:
        for rule in part["checks"]:
            rule["visibility"] = "hidden"
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(data))
    assert cli.main(["student-kit", "--out", str(tmp_path / "k.zip"), "--rubric", str(tmp_path / "r.yaml")]) == 2
    assert "no visible check" in capsys.readouterr().err


# -- pruning ----------------------------------------------------------------------------------


def test_pruning_keeps_the_visible_checks_and_what_they_use():
    source = visible_source(check_part_f, {"f.i", "f.iii"})
    assert "check_f_i = item_check" in source and "check_f_iii = item_check" in source
    assert "check_f_ii =" not in source and "check_f_iv" not in source
    assert "def grade_item" in source and "def derived_key" in source and "HINT = " in source
    assert "def grade_statements" not in source, "only f.statements uses it"
    namespace = {"__name__": "pruned_check_module", "__package__": check_part_f.__package__}  # its relative imports
    exec(compile(source, "check_part_f.py", "exec"), namespace)  # what remains still runs
    assert namespace["check_f_i"].__check_id__ == "f.i"


def test_pruning_removes_what_only_hidden_checks_used():
    source = visible_source(check_part_b, {"b.random_weights"})
    assert "OTHER_SIZE_DRAWS" not in source and "def check_other_sizes" not in source
    assert "EXAM_DRAWS = 25" in source and "COMMON_MISTAKES" not in source
    assert "def recognise_mistake(draws, answers):\n    return None\n" in source, "the table's reader keeps its fallback"
    assert '"""' not in source and "#" not in source
    assert visible_source(check_part_b, {"f.i"}) is None


# -- what the self-check adds: zero-point checks, missing packages, where it looks ------------


def test_a_zero_point_check_prints_as_information_and_never_fails(kit, numpy_only_python):
    done = run_kit(numpy_only_python, kit, SUBMISSIONS / "d_naive_softmax")  # fails only d.overflow, worth 0
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0/0" not in done.stdout
    lines = done.stdout.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith("[info] (d) f2 on inputs of large magnitude")]
    assert lines[index].endswith("(no points): did not pass")
    assert "`rnn_b_f2` returned NaN" in lines[index + 1]
    assert "[info] (d) f2 at another size (p_dim = 5) (no points): passed" in lines
    assert "Visible checks: 12 / 12 points" in done.stdout


@pytest.fixture(scope="module")
def laptop_python(tmp_path_factory):
    """A Python with numpy and two packages Gradescope lacks (empty stand-ins for scipy
    and torch), as a student's laptop has them."""
    python, target = venv_with_numpy(tmp_path_factory.mktemp("laptop"))
    for name in ("scipy", "torch"):
        (target / name).mkdir()
        (target / name / "__init__.py").write_text("")
    return python


def test_kit_warns_of_each_import_gradescope_lacks(kit, laptop_python, tmp_path):
    correct = (SUBMISSIONS / "correct" / "we_recur.py").read_text()
    module = "import helpers\nimport scipy\n" + correct + "\n\ndef uses_torch():\n    import torch\n    return torch\n"
    (tmp_path / "we_recur.py").write_text(module)
    (tmp_path / "helpers.py").write_text("")  # the student's own, uploaded beside it
    torch_line = module.splitlines().index("    import torch") + 1
    done = run_kit(laptop_python, kit, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr  # it works here...
    assert "Visible checks: 12 / 12 points" in done.stdout
    assert "Warning: Gradescope has the Python standard library, numpy," in done.stdout  # ...not on Gradescope
    report = json.loads(run_kit(laptop_python, kit, "--json", tmp_path).stdout)[0]
    assert report["warnings"] == [
        "`scipy` (`we_recur.py`, line 2): your module cannot be imported there, so every check scores 0.",
        f"`torch` (`we_recur.py`, line {torch_line}, in `uses_torch`): that call fails there.",
    ]


def test_kit_warns_of_imports_in_a_notebooks_code_cells(kit, laptop_python, tmp_path):
    correct = (SUBMISSIONS / "correct" / "we_recur.py").read_text()
    cells = [("markdown", "import torch is prose, not code"), ("code", "import numpy as np"),
             ("code", "try:\n    import torch\nexcept ImportError:\n    torch = None\nimport scipy"), ("code", correct)]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": text, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, text in cells]}
    (tmp_path / "we_recur.ipynb").write_text(json.dumps(notebook))
    report = json.loads(run_kit(laptop_python, kit, "--json", tmp_path / "we_recur.ipynb").stdout)[0]
    # torch is imported only where its absence is caught: not a problem on Gradescope
    assert report["warnings"] == [
        "`scipy` (`we_recur.ipynb`, code cell 2, line 5): your module cannot be imported there, so every check scores 0."
    ]
    # a helper module that a %%writefile cell writes, then imports, is the student's own
    helper = REPO / "tests" / "notebooks" / "writefile_helper"
    assert "%%writefile" in (helper / "we_recur.ipynb").read_text()
    report = json.loads(run_kit(laptop_python, kit, "--json", helper).stdout)[0]
    assert report["warnings"] == [] and report["problem"] == ""


def test_the_kit_records_its_rubrics_hash(kit):
    rubric = json.loads(kit_texts(kit)["_selfcheck/rubric.json"])
    assert rubric["rubric_sha256"] == hashlib.sha256((REPO / "questions" / "we_recur" / "rubric.yaml").read_bytes()).hexdigest()


def test_the_kit_records_what_gradescope_installs(kit):
    rubric = json.loads(kit_texts(kit)["_selfcheck/rubric.json"])
    packages = rubric["gradescope_packages"]
    pinned = [line.split("==")[0] for line in (REPO / "requirements.txt").read_text().splitlines()
              if line and not line.startswith("#")]
    assert list(packages) == pinned
    assert packages["numpy"] == ["numpy"] and "yaml" in packages["PyYAML"]


def test_check_py_without_an_argument_checks_the_module_beside_it(kit, numpy_only_python, tmp_path):
    done = run_kit(numpy_only_python, kit)  # the kit's own starter template
    assert "Self-check of we_recur.py" in done.stdout and "NotImplementedError" in done.stdout
    assert done.returncode == 1
    mine = tmp_path / "kit"
    shutil.copytree(kit, mine)
    (mine / "we_recur.py").unlink()
    shutil.copyfile(REPO / "tests" / "notebooks" / "correct" / "we_recur.ipynb", mine / "answers.ipynb")
    done = run_kit(numpy_only_python, mine)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Self-check of answers.ipynb" in done.stdout and "Visible checks: 12 / 12 points" in done.stdout
    (mine / "answers.ipynb").unlink()
    done = run_kit(numpy_only_python, mine)
    assert done.returncode == 2 and "there is no we_recur.py (nor a single notebook) beside check.py" in done.stderr


def test_kit_readme_says_how_to_run_the_self_check_and_what_it_leaves_out(kit):
    readme = kit_texts(kit)["README.md"]
    for needed in ("python3 check.py", "py check.py", "!python check.py we_recur.ipynb", "%run check.py",
                   'check.check("we_recur.ipynb")', "Colab", "!unzip", "Only the visible checks", "seed",
                   "trying every possible", "What differs from Gradescope", "Windows"):
        assert needed in readme, needed
