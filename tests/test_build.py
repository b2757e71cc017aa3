"""``python -m autograder build``: the zip holds exactly what Gradescope needs, and graded
from an unpacked copy (as Gradescope does) every sample scores its expected.yaml, with
the same feedback as ``grade`` and ``batch`` give it."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder import cli, grading, scoring_seed
from autograder import question as questions
from autograder.batch import run_batch
from autograder.build import MANIFEST, BuildError, build
from autograder.sandbox import isolation

REPO = Path(__file__).resolve().parent.parent
QUESTION = questions.find("we_recur")
SUBMISSIONS = QUESTION.samples_dir
#: Graded from the built zip: a right answer, partial credit, a helper module, another
#: file name, a wrong answer, an import failure.
GRADED_FROM_ZIP = ("correct", "e_argmax_onehot", "helper_module", "other_name", "b_no_transpose", "syntax_error")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "autograder.zip"
    assert cli.main(["build", "--out", str(out)]) == 0
    return out


def test_zip_holds_exactly_what_gradescope_needs(built):
    with zipfile.ZipFile(built) as archive:
        names = archive.namelist()
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", scoring_seed.FILE_IN_ZIP} <= set(names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    question = ("questions/__init__.py", "questions/default.txt", "questions/we_recur/__init__.py", "questions/we_recur/rubric.yaml")
    for name in names:
        top = name.split("/")[0]
        assert name in ("setup.sh", "run_autograder", "requirements.txt", scoring_seed.FILE_IN_ZIP, MANIFEST, *question) or (
            top == "autograder" or name.startswith(("questions/we_recur/reference/", "questions/we_recur/checks/"))
        ), name
        assert "__pycache__" not in name and not name.endswith(".pyc")
        assert not any(part.startswith(".") for part in name.split("/")), name
    for needed in ("autograder/grading.py", "autograder/checks/pytest.ini", "questions/we_recur/reference/answer_key.py", *question):
        assert needed in names
    # every module of the engine and of the question's reference and checks is there
    for folder in (REPO / "autograder", QUESTION.reference_dir, QUESTION.checks_dir):
        for path in folder.rglob("*.py"):
            if "__pycache__" not in path.parts:
                assert path.relative_to(REPO).as_posix() in names


def test_zip_holds_one_question_and_names_it(built):
    """No other question, no handout, example or samples; run_autograder grades the one named."""
    with zipfile.ZipFile(built) as archive:
        assert archive.read("questions/default.txt").decode().strip() == "we_recur"
        names = archive.namelist()
    assert {name.split("/")[1] for name in names if name.startswith("questions/") and name.count("/") > 1} == {"we_recur"}
    for left_out in ("handout", "example", "samples"):
        assert not any(name.startswith(f"questions/we_recur/{left_out}/") for name in names)


def test_zip_is_reproducible(built, tmp_path):
    again = tmp_path / "again.zip"
    build(again, QUESTION, seed=scoring_seed.read(built))  # the same source and the same secret
    assert again.read_bytes() == built.read_bytes()


def test_build_leaves_out_caches_and_editor_files(tmp_path):
    source = tmp_path / "checkout"
    for name in ("setup.sh", "run_autograder", "requirements.txt"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, source / name)
    for folder in ("autograder", "questions"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in (source / "autograder", source / "questions" / "we_recur" / "checks"):
        (folder / "__pycache__").mkdir()
        (folder / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
        (folder / "grading.py~").write_text("")
        (folder / ".notes").write_text("")
    names = build(tmp_path / "a.zip", questions.find("we_recur", source / "questions"), source=source)
    assert not any("__pycache__" in n or n.endswith("~") or ".notes" in n for n in names)


def test_the_zip_records_the_hashes_every_results_json_carries(built, graded_from_zip):
    with zipfile.ZipFile(built) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    assert manifest == {
        "question": "we_recur",
        "rubric": "questions/we_recur/rubric.yaml",
        "rubric_sha256": hashlib.sha256(QUESTION.rubric_path.read_bytes()).hexdigest(),
        "seed_sha256": scoring_seed.read(built).sha256,
        "autograded_points": 12.0,
        "manual_points": 0.0,
        "manual_parts": [],
    }
    for results in graded_from_zip.values():
        assert results["extra_data"]["rubric_sha256"] == manifest["rubric_sha256"]
        assert results["extra_data"]["seed_sha256"] == manifest["seed_sha256"]


def test_build_rubric_zips_that_rubric_in_the_graded_place(tmp_path, capsys):
    rubric = tmp_path / "regrade.yaml"
    rubric.write_text(QUESTION.rubric_path.read_text().replace("\ntitle: ", "\ntitle: Regrade of ", 1))
    assert cli.main(["build", "--out", str(tmp_path / "a.zip"), "--rubric", str(rubric)]) == 0
    digest = hashlib.sha256(rubric.read_bytes()).hexdigest()
    assert f"it grades with {rubric} (sha256 {digest[:12]}" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.read("questions/we_recur/rubric.yaml") == rubric.read_bytes()
        assert json.loads(archive.read(MANIFEST))["rubric_sha256"] == digest
    (tmp_path / "broken.yaml").write_text("title: x\nparts: []\n")
    assert cli.main(["build", "--out", str(tmp_path / "b.zip"), "--rubric", str(tmp_path / "broken.yaml")]) == 2
    assert "broken.yaml:2: parts" in capsys.readouterr().err and not (tmp_path / "b.zip").exists()


def test_invalid_rubric_stops_the_build(tmp_path):
    source = tmp_path / "checkout"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "__pycache__"))
    (source / "questions" / "we_recur" / "rubric.yaml").write_text("title: x\nparts: []\n")
    with pytest.raises(BuildError, match=r"rubric\.yaml:\d+: parts"):
        build(tmp_path / "a.zip", questions.find("we_recur", source / "questions"), source=source)
    assert not (tmp_path / "a.zip").exists()


@pytest.fixture(scope="module")
def graded_from_zip(built, tmp_path_factory):
    """``{sample: results.json}`` for each sample, graded by the zip's run_autograder."""
    runs = {}
    for sample in GRADED_FROM_ZIP:
        root = tmp_path_factory.mktemp(f"gradescope-{sample}")
        with zipfile.ZipFile(built) as archive:
            for info in archive.infolist():
                target = root / "source" / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(info))
                os.chmod(target, (info.external_attr >> 16) & 0o777)
        shutil.copytree(SUBMISSIONS / sample, root / "submission", ignore=shutil.ignore_patterns("expected.yaml"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.update({"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable})
        done = subprocess.run(
            [str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        runs[sample] = json.loads((root / "results" / "results.json").read_text())
    return runs


@pytest.mark.parametrize("sample_name", GRADED_FROM_ZIP)
def test_samples_graded_from_the_zip_score_as_expected(graded_from_zip, sample_name, results_checker):
    results = results_checker(graded_from_zip[sample_name])
    expected = yaml.safe_load((SUBMISSIONS / sample_name / "expected.yaml").read_text())["scores"]
    scores = {}
    for test in results["tests"]:
        scores[test["extra_data"]["part"]] = scores.get(test["extra_data"]["part"], 0.0) + test["score"]
    assert scores == pytest.approx(expected, abs=1e-3)


def test_zip_grades_like_grade(built, graded_from_zip):
    """The zip's run_autograder and ``grade`` give each sample the same tests and feedback."""
    isolation.use_slot(7)  # see tests/test_batch.py: a sandbox user of this process's own
    try:
        rubric = grading.load().scored_with(scoring_seed.read(built))  # grade --secret-from the zip
        for sample, from_zip in graded_from_zip.items():
            alone = grading.grade(SUBMISSIONS / sample, rubric).results.to_json()
            assert [(t["name"], t["score"], t["output"]) for t in from_zip["tests"]] == [
                (t["name"], t["score"], t["output"]) for t in alone["tests"]
            ], sample
            assert from_zip["extra_data"]["seed_sha256"] == alone["extra_data"]["seed_sha256"] == rubric.scoring.sha256
    finally:
        isolation.use_slot(0)


def test_zip_grades_like_batch(built, graded_from_zip, tmp_path):
    """The same submissions in a batch: the same tests, scores and feedback as the zip's run_autograder."""
    for sample in graded_from_zip:
        shutil.copytree(SUBMISSIONS / sample, tmp_path / "export" / sample, ignore=shutil.ignore_patterns("expected.yaml"))
    seed = scoring_seed.read(built)
    run_batch(tmp_path / "export", tmp_path / "out", jobs=2, seed=seed, progress_stream=io.StringIO())
    for sample, from_zip in graded_from_zip.items():
        in_batch = json.loads((tmp_path / "out" / "results" / f"{sample}.json").read_text())
        assert [(t["name"], t["score"], t["output"]) for t in in_batch["tests"]] == [
            (t["name"], t["score"], t["output"]) for t in from_zip["tests"]
        ], sample
        assert in_batch["extra_data"]["seed_sha256"] == from_zip["extra_data"]["seed_sha256"] == seed.sha256


def test_hand_graded_points_are_recorded_and_announced(tmp_path, capsys):
    """Fall 2018 Q7 grades 8 points itself and leaves (c2)'s 2 to staff: the zip, the
    build's output and every results.json say so."""
    out = tmp_path / "q7.zip"
    assert cli.main(["build", "--question", "fall_2018_q7", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "add a manual question of 2 points on Gradescope for what staff grade by hand: (c2) a counterexample" in printed
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    assert manifest["autograded_points"] == 8.0 and manifest["manual_points"] == 2.0
    assert manifest["manual_parts"] == [{"part": "c2", "title": "a counterexample", "points": 2.0}]
