"""A question is a folder, and the engine knows no question.

* The README's "Adding a question" steps, followed on a copy of ``questions/_template``
  in a temporary folder: its rubric lints, its example and samples grade as their
  expected.yaml says, its zip holds it alone, and its student kit self-checks it.
* Every question's samples, graded by the one engine from the question's folder, score
  what their expected.yaml says (the default question's are also graded through both
  entry points, with their feedback, by ``tests/test_samples.py``).
* The structure drawn from the imports: no module of the engine (``autograder/``)
  imports anything under ``questions/``, and each question imports only the engine's
  public helpers and itself.
"""

import ast
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder import cli, grading
from autograder import question as questions
from autograder.sandbox import isolation

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "questions" / "_template"
#: What a question's modules may import of the engine: the helpers checks use.
ENGINE_FOR_QUESTIONS = ("autograder.checks",)


@pytest.fixture(scope="module")
def new_question(tmp_path_factory):
    """Step 1 of "Adding a question": copy the template to a folder of its own name."""
    folder = tmp_path_factory.mktemp("courses") / "logistic_question"
    shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def graded(folder, submission, out):
    """``python -m autograder grade SUBMISSION --question FOLDER --json OUT``, as a TA runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(submission), "--question", str(folder), "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text())


def part_scores(results):
    scores = {}
    for test in results["tests"]:
        part = test["extra_data"]["part"]
        scores[part] = round(scores.get(part, 0.0) + test["score"], 4)
    return scores


def test_the_new_question_lints(new_question, capsys):
    assert cli.main(["lint", "--question", str(new_question)]) == 0
    out = capsys.readouterr().out
    assert "1 points in 1 parts; 2 checks, 2 visible now." in out
    assert "not in the rubric" not in out


def test_its_example_earns_every_point(new_question, tmp_path):
    results = graded(new_question, new_question / "example", tmp_path / "example.json")
    assert results["score"] == 1 and all(test["status"] == "passed" for test in results["tests"])


@pytest.mark.parametrize("case", ["correct", "sign_flipped"])
def test_its_samples_score_what_they_expect(new_question, tmp_path, case):
    expected = yaml.safe_load((new_question / "samples" / case / "expected.yaml").read_text())
    results = graded(new_question, new_question / "samples" / case, tmp_path / f"{case}.json")
    assert part_scores(results) == expected["scores"]
    for part, texts in expected.get("feedback_contains", {}).items():
        output = "\n".join(t["output"] for t in results["tests"] if t["extra_data"]["part"] == part)
        for text in texts:
            assert text.lower() in output.lower(), (case, text)


def test_its_zip_holds_it_alone_and_grades_it(new_question, tmp_path):
    out = tmp_path / "autograder.zip"
    assert cli.main(["build", "--question", str(new_question), "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert archive.read("questions/default.txt").decode().strip() == "logistic_question"
        archive.extractall(tmp_path / "source")
    assert {name.split("/")[1] for name in names if name.startswith("questions/") and name.count("/") > 1} == {
        "logistic_question"
    }
    assert "questions/logistic_question/reference/answers.py" in names
    assert not any("/samples/" in name or "/example/" in name or "/handout/" in name for name in names)
    for info in zipfile.ZipFile(out).infolist():  # run_autograder from the unpacked zip, as Gradescope does
        (tmp_path / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777)
    (tmp_path / "submission").mkdir()
    shutil.copy(new_question / "example" / "logistic.py", tmp_path / "submission")
    env = {"AUTOGRADER_ROOT": str(tmp_path), "AUTOGRADER_PYTHON": sys.executable, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([str(tmp_path / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 1


def test_its_student_kit_self_checks_it(new_question, tmp_path):
    out = tmp_path / "kit.zip"
    assert cli.main(["student-kit", "--question", str(new_question), "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path)
        assert not any("reference" in name for name in archive.namelist()), "the kit holds no reference"
    kit = tmp_path / "logistic-kit"
    for case, status, verdict in (("correct", 0, "[PASS] 1/1"), ("sign_flipped", 1, "[FAIL] 0/1")):
        done = subprocess.run([sys.executable, "check.py", str(new_question / "samples" / case)], cwd=kit,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == status and verdict in done.stdout, done.stdout + done.stderr


# -- every question, graded from its folder by the same engine ---------------------------------------


def question_samples():
    """``(question name, sample name)`` of every sample of every question but the default."""
    default = questions.default().name
    return [
        (name, case.name)
        for name in [*questions.names(), "_template"]
        if name != default
        for case in sorted((questions.find(name).samples_dir).iterdir())
        if (case / "expected.yaml").is_file()
    ]


@pytest.fixture(scope="module")
def graded_samples():
    """``{(question, sample): results.json data}``, each question's samples graded in turn."""
    isolation.use_slot(7)  # a sandbox user of this process's own (see tests/test_batch.py)
    try:
        graded = {}
        for name in dict.fromkeys(name for name, _ in question_samples()):
            question = questions.find(name)
            rubric = grading.load(question=question)
            for case in sorted(case for q, case in question_samples() if q == name):
                graded[name, case] = grading.grade(question.samples_dir / case, rubric).results.to_json()
        return graded
    finally:
        isolation.use_slot(0)


@pytest.mark.parametrize(("name", "case"), question_samples())
def test_every_questions_samples_score_what_they_expect(graded_samples, name, case):
    expected = yaml.safe_load((questions.find(name).samples_dir / case / "expected.yaml").read_text())
    results = graded_samples[name, case]
    assert part_scores(results) == pytest.approx(expected["scores"], abs=1e-3)
    for part, texts in (expected.get("feedback_contains") or {}).items():
        output = "\n".join(t["output"] for t in results["tests"] if t["extra_data"]["part"] == part)
        for text in texts:
            assert text.lower() in output.lower(), (name, case, part, text)


# -- the structure drawn from the imports ----------------------------------------------------------


def imported_modules(path):
    """The absolute names ``path`` imports (a relative import, the module's own package, as ``.``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else node.module)
    return names


def test_the_engine_imports_no_question():
    arrows = [
        f"{path.relative_to(REPO)} imports {name}"
        for path in sorted((REPO / "autograder").rglob("*.py"))
        for name in imported_modules(path)
        if name == "questions" or name.startswith("questions.")
    ]
    assert not arrows, "\n".join(arrows)


@pytest.mark.parametrize("name", [*questions.names(), "_template"])
def test_a_question_imports_only_the_engines_helpers_and_itself(name):
    """Questions sit above the engine: they may use its check helpers, never its insides,
    and never another question."""
    folder = REPO / "questions" / name
    for path in sorted(folder.rglob("*.py")):
        if "samples" in path.relative_to(folder).parts:
            continue  # students' code
        for imported in imported_modules(path):
            top = imported.split(".")[0]
            assert top != "questions", f"{path.relative_to(REPO)} imports {imported}: another question?"
            if top == "autograder":
                assert imported.startswith(ENGINE_FOR_QUESTIONS), f"{path.relative_to(REPO)} imports {imported}"
