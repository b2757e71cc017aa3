"""Answers stay secret: Gradescope draws with a secret seed that the kit never holds, so
a submission that replays the kit scores nothing there; no name, hint, diagnosis or
printed output a student can read states an official answer, in either reveal preset;
the kit ships no answer in any spelling; printed output stays with the check that
made the call."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import cli, grading, scoring_seed
from autograder.batch import run_batch
from autograder.sandbox import isolation

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
SAMPLES = sorted(folder.name for folder in SUBMISSIONS.iterdir() if (folder / "expected.yaml").is_file())
EXAMPLE = REPO / "questions" / "we_recur" / "example" / "we_recur.py"

#: The official answers (see /work/shared/problem/we-recur.md) in the spellings a text
#: might use, compared after :func:`squeezed` (lower case, no white space). Per part:
#: a shape is an answer only where that part speaks of its own matrices.
ANSWERS = {
    "a": ["(2,2)", "[2,2]", "2x2matri", "2×2matri", "all2x2", "all2×2", "(s_dim,s_dim)", "(s_dim,x_dim)", "(p_dim,s_dim)",
          "s_dim×x_dim", "s_dimxx_dim", "p_dim×s_dim", "p_dimxs_dim"],
    "b": ["w_sx^tw_o^t", "w_sxᵀw_oᵀ", "w_sx.t@w_o.t", "w_sx.t@(w_o.t", "w_sx.t.dot(w_o.t", "np.dot(w_sx.t",
          "transpose(w_sx)", "w_sx.transpose()", "(w_ow_sx)^t", "(w_o@w_sx).t", "theoppositesign", "thereverseorder",
          "rightfactors"],
    "c": ["(2,4)", "[2,4]", "2x4", "2×4", "(s_dim+x_dim)", "s_dim+x_dim", "(s+x)", "fourcolumns", "4columns"],
    "d": ["softmax", "soft-max", "soft_max", "np.exp(z-np.max(z", "exp(z-max(z", "normalizedexponential",
          "exp(z)/", "distributionoverthenextword"],
    "e": ["x_{t+1}=p_t", "x_{t+1}=p_{t}", "x_2=p_1", "x_{2}=p_{1}", "x_t+1=p_t", "returnp_t", "next_input_is_output",
          "ownoutputbecomes", "outputbecomesthenext", "feedsbackp_t", "feedsbackwhatitoutput"],
    "f": ["'all_w_ssx':false", '"all_w_ssx":false', "all_w_ssx=false", "all_w_ssx:false", "'w_ssx':true",
          '"w_ssx":true', "(cb+d)", "onlythex-columns", "onlyitsx-columns", "iv.false", "iv:false",
          "{'w_ox':true,'all_w_ox':true"],
}
#: Beyond (a) itself, a text that calls every weight 2×2 states (a)'s answer too.
ALL_WEIGHTS_2x2 = ["2×2weights", "2x2weights", "weightsare2×2", "weightsare2x2"]


def spellings(part, where):
    """The spellings of ``part``'s answer to look for in a text of part ``where``: a
    shape of (a) is an answer where (a) speaks of its own matrices, and anywhere when it
    says every weight is 2×2."""
    if part != "a":
        return ANSWERS[part]
    return ANSWERS["a"] + ALL_WEIGHTS_2x2 if where == "a" else ALL_WEIGHTS_2x2


def squeezed(text):
    return re.sub(r"\s+", "", text).lower()


def stated_answers(text, answers):
    """The spellings of ``answers`` that ``text`` contains."""
    flat = squeezed(text)
    return [answer for answer in answers if answer in flat]


def test_the_answer_spellings_catch_the_answers():
    """The search finds what it looks for: the official answers, as a page would write them."""
    for text, part in [
        ("dJ/dx_t = W_sx^T W_o^T g", "b"), ("return W_sx.T @ (W_o.T @ dloss_dz2)", "b"), ("np.dot(W_sx.T, W_o.T)", "b"),
        ("both are 2 x 4", "c"), ("a Softmax", "d"), ("x_{t+1} = p_t", "e"), ("{'W_ox': True, 'all_W_ox': True}", "f"),
        ('"all_W_ssx": False', "f"), ("W_ss is (2, 2)", "a"),
    ]:
        assert stated_answers(text, ANSWERS[part]), text


# -- rubrics in each preset ---------------------------------------------------------------------


def preset_rubric(folder, preset):
    text = (REPO / "questions" / "we_recur" / "rubric.yaml").read_text(encoding="utf-8")
    assert "\nreveal: homework\n" in text
    path = folder / f"{preset}.yaml"
    path.write_text(text.replace("\nreveal: homework\n", f"\nreveal: {preset}\n"), encoding="utf-8")
    return grading.load(path)


@pytest.fixture(scope="module", params=["exam", "homework"])
def rendered(request, tmp_path_factory):
    """``(preset, {sample: results.json})``: every sample and the example, graded in one preset."""
    rubric = preset_rubric(tmp_path_factory.mktemp(request.param), request.param)
    submissions = [(name, SUBMISSIONS / name) for name in SAMPLES] + [("example", EXAMPLE)]
    done = {}
    isolation.use_slot(8)  # a sandbox user of this process's own (see tests/test_batch.py)
    try:
        grading.grade_each(submissions, rubric, lambda key, graded: done.update({key: graded}))
    finally:
        isolation.use_slot(0)
    return request.param, {key: graded.results.to_json() for key, graded in done.items()}


def without_the_students_code(text, sample):
    """``text`` less every line of the student's own files it quotes (a traceback, a
    warning that shows a line): what the student wrote is not the grader's to hide."""
    folder = SUBMISSIONS / sample if sample != "example" else EXAMPLE.parent
    own = {line.strip() for path in folder.glob("*.py") for line in path.read_text().splitlines() if line.strip()}
    return "\n".join(line for line in text.splitlines() if not any(code in line for code in own if len(code) > 8))


@pytest.mark.parametrize("part", sorted(ANSWERS))
def test_no_visible_text_states_an_answer(rendered, part):
    """No name (hidden or not), no visible output and no summary states the ``part``'s answer."""
    preset, runs = rendered
    found = []
    for sample, results in runs.items():
        found += [(sample, "summary", a) for a in stated_answers(results["output"], spellings(part, "summary"))]
        for test in results["tests"]:
            answers = spellings(part, test["extra_data"]["part"])
            found += [(sample, test["name"], a) for a in stated_answers(test["name"], answers)]
            if test["visibility"] == "visible":
                shown = without_the_students_code(test["output"], sample)
                found += [(sample, test["name"], a) for a in stated_answers(shown, answers)]
    assert not found, f"{preset}: {found}"


def test_each_preset_reveals_what_it_says(rendered):
    preset, runs = rendered
    tests = {test["extra_data"]["check"]: test for test in runs["b_no_transpose"]["tests"]}
    scored, unscored = tests["b.random_weights"]["output"], tests["b.other_sizes"]["output"]
    if preset == "exam":
        assert scored == "Not passed.", "the score alone"
        assert "matched the reference" not in unscored and "**Hint:**" in unscored
    else:
        assert "matched the reference on 0 of 25" in scored and "W_sx W_o g" in scored and "**Hint:**" in scored
    # whatever the preset, a student's own error is shown
    missing = {test["extra_data"]["check"]: test for test in runs["missing_functions"]["tests"]}
    assert "`rnn_b_f2`" in missing["d.random_inputs"]["output"]


def test_f_shows_its_total_and_its_items_only_after_the_due_date(rendered):
    _, runs = rendered
    tests = {test["extra_data"]["check"]: test for test in runs["f_all_false"]["tests"]}
    total = tests["f.statements"]
    assert total["visibility"] == "visible" and (total["score"], total["max_score"]) == (0.5, 2)
    for item in ("f.i", "f.ii", "f.iii", "f.iv"):
        assert tests[item]["visibility"] == "after_due_date" and tests[item]["max_score"] == 0
    assert "1 of the 4 statements" in total["output"] or total["output"] == "Partly passed."
    for key in ("W_ox", "all_W_ox", "W_ssx", "all_W_ssx"):
        assert repr(key) not in total["output"], "no item is singled out"


def test_a_failed_import_is_shown_once(rendered):
    _, runs = rendered
    for sample, line in (("syntax_error", 7), ("import_error", 3)):
        results = runs[sample]
        assert f"line {line}" in results["output"]
        for test in results["tests"]:
            assert f"line {line}" not in test["output"] and "**Hint:**" not in test["output"], test["name"]
            assert "could not be graded" in test["output"]


# -- the lint of a reveal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (("reveal: homework\n", "reveal: quiz\n"), "reveal"),
        (("        weight: 2\n        visibility: visible\n", "        weight: 2\n        visibility: visible\n        reveal: all\n"),
         "parts[0].checks[0].reveal"),
    ],
    ids=["preset", "check"],
)
def test_lint_rejects_an_invalid_reveal_naming_file_and_line(tmp_path, capsys, edit, key):
    text = (REPO / "questions" / "we_recur" / "rubric.yaml").read_text(encoding="utf-8")
    assert edit[0] in text
    path = tmp_path / "rubric.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    bad = edit[1].splitlines()[-1]
    line = path.read_text().splitlines().index(bad) + 1  # the first line that holds the bad reveal
    assert cli.main(["lint", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: {key}: " in err, err
    assert repr(bad.split(": ")[1]) in err


def test_a_check_may_reveal_less_than_its_preset(tmp_path):
    text = (REPO / "questions" / "we_recur" / "rubric.yaml").read_text(encoding="utf-8")
    path = tmp_path / "rubric.yaml"
    path.write_text(text.replace("      - check: b.other_sizes\n", "      - check: b.other_sizes\n        reveal: hint\n"))
    rubric = grading.load(path)
    rules = {rule.check_id: rule for _, rule in rubric.checks}
    assert rules["b.other_sizes"].reveal == "hint" and rules["b.random_weights"].reveal == "diagnosis"
    output = {t["extra_data"]["check"]: t["output"] for t in grading.grade(SUBMISSIONS / "b_wss", rubric).results.to_json()["tests"]}
    assert output["b.other_sizes"].startswith("Not passed.\n\n**Hint:** ")
    assert "W_ss^T W_o^T g" in output["b.random_weights"]


# -- printed output stays with its check --------------------------------------------------------

PRINTING = '''
print("IMPORT-PRINT")


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    print(f"CALL-PRINT shape {W_sx.shape}")
    return W_sx.T @ (W_o.T @ dloss_dz2)
'''


def test_what_a_call_prints_is_shown_with_its_check_only(tmp_path):
    (tmp_path / "we_recur.py").write_text(EXAMPLE.read_text() + PRINTING)  # the later definition wins
    rubric = grading.load(REPO / "tests" / "rubrics" / "hidden_b.yaml")  # b.random_weights hidden
    results = grading.grade(tmp_path / "we_recur.py", rubric).results.to_json()
    tests = {test["extra_data"]["check"]: test for test in results["tests"]}
    assert "IMPORT-PRINT" in results["output"] and "CALL-PRINT" not in results["output"]
    assert "CALL-PRINT shape (2, 2)" in tests["b.random_weights"]["output"]
    assert tests["b.random_weights"]["visibility"] == "hidden"
    assert "CALL-PRINT shape (3, 4)" in tests["b.other_sizes"]["output"]
    assert "(2, 2)" not in tests["b.other_sizes"]["output"], "the hidden check's calls stay with it"
    assert "CALL-PRINT" not in tests["a.exam_shapes"]["output"]


# -- the kit's recordings are worth nothing on Gradescope ----------------------------------------

REPLAY = '''
"""No mathematics: every answer is looked up in the student kit's recordings."""
import json
from pathlib import Path

import numpy as np

from sealed import call_key

BOOK = json.loads((Path(__file__).with_name("oracle_answers.json")).read_text())


def _array(recorded):
    if isinstance(recorded, dict) and "$array" in recorded:
        return np.array(recorded["$array"]).reshape(recorded["shape"])
    return None


def _lookup(function, *args):
    return _array(BOOK["calls"].get(call_key(function, list(args), {})))


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {}  # recorded only as salted hashes


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    found = _lookup("rnn_a_dloss_dx", W_ss, W_sx, W_o, x_t, dloss_dz2)
    return found if found is not None else np.zeros((W_sx.shape[1], 1))


def rnn_b_f2(z):
    found = _lookup("rnn_b_f2", z)
    return found if found is not None else np.zeros_like(z)


def rnn_b_next_input(p_t):
    found = _lookup("rnn_b_next_input", p_t)
    return found if found is not None else np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    return {}
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("built")
    assert cli.main(["build", "--out", str(folder / "autograder.zip")]) == 0
    return folder / "autograder.zip"


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    """A submission made of the kit's recordings and a lookup, nothing else."""
    folder = tmp_path_factory.mktemp("replay-kit")
    assert cli.main(["student-kit", "--out", str(folder / "kit.zip")]) == 0
    submission = folder / "submission"
    submission.mkdir()
    with zipfile.ZipFile(folder / "kit.zip") as kit:
        (submission / "oracle_answers.json").write_bytes(kit.read("we_recur-kit/_selfcheck/answers.json"))
        (submission / "sealed.py").write_bytes(kit.read("we_recur-kit/_selfcheck/autograder/kit/sealed.py"))
    (submission / "we_recur.py").write_text(REPLAY)
    return submission


def run_zip(built, submission, root):
    """run_autograder of the built zip, unpacked as Gradescope does; returns results.json."""
    with zipfile.ZipFile(built) as archive:
        for info in archive.infolist():
            target = root / "source" / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            os.chmod(target, (info.external_attr >> 16) & 0o777)
    shutil.copytree(submission, root / "submission")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable})
    done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "scored with the secret seed" in done.stdout
    return json.loads((root / "results" / "results.json").read_text())


def weighted_points(results):
    return sum(test["score"] for test in results["tests"] if test["max_score"] > 0)


def test_the_replay_passes_the_kits_draws(replay):
    """The replay is a real one: with the public seed (the kit's) it earns (b), (d) and (e)."""
    results = grading.grade(replay, grading.load()).results.to_json()
    scores = {test["extra_data"]["check"]: test["score"] for test in results["tests"]}
    assert (scores["b.random_weights"], scores["d.random_inputs"], scores["e.generation"]) == (2, 2, 2)
    assert results["extra_data"]["seed"] == "public"


def test_the_replay_earns_no_weighted_point_on_gradescope(built, replay, tmp_path):
    results = run_zip(built, replay, tmp_path / "gradescope")
    assert weighted_points(results) == 0, [(t["name"], t["score"]) for t in results["tests"] if t["score"]]
    seed = scoring_seed.read(built)
    assert results["extra_data"]["seed_sha256"] == hashlib.sha256(str(seed.value).encode()).hexdigest()
    assert results["extra_data"]["seed"] == "secret"
    assert str(seed.value) not in json.dumps(results), "the seed itself is never recorded"


def test_a_regrade_with_the_secret_scores_as_gradescope(built, replay, tmp_path, capsys):
    """grade --secret-from the zip, or from the seed file beside it, gives Gradescope's results."""
    by_gradescope = run_zip(built, replay, tmp_path / "gradescope")
    runs = []
    for secret in (built, scoring_seed.copy_beside(built)):
        out = tmp_path / f"{secret.name}.json"
        assert cli.main(["grade", str(replay), "--secret-from", str(secret), "--json", str(out)]) == 0
        runs.append(json.loads(out.read_text()))
    assert "scored with the secret seed" in capsys.readouterr().out

    def comparable(results):
        return [(t["name"], t["score"], t["output"]) for t in results["tests"]], results["extra_data"]["seed_sha256"]

    assert comparable(runs[0]) == comparable(runs[1]) == comparable(by_gradescope)
    public = tmp_path / "public.json"
    assert cli.main(["grade", str(replay), "--json", str(public)]) == 0
    assert "public seed" in capsys.readouterr().out.splitlines()[0], "the terminal says so in one line"
    public = json.loads(public.read_text())
    assert public["extra_data"]["seed_sha256"] != by_gradescope["extra_data"]["seed_sha256"]
    assert weighted_points(public) == 6


def test_batch_scores_with_the_secret(built, replay, tmp_path):
    shutil.copytree(replay, tmp_path / "export" / "replay")
    run_batch(tmp_path / "export", tmp_path / "out", jobs=1, seed=scoring_seed.read(built), progress_stream=io.StringIO())
    results = json.loads((tmp_path / "out" / "results" / "replay.json").read_text())
    assert weighted_points(results) == 0 and results["extra_data"]["seed"] == "secret"


def test_build_keeps_the_secret_out_of_the_kit_and_reuses_it_on_request(built, tmp_path):
    seed = scoring_seed.read(built)
    assert seed.secret and seed.value.bit_length() > 64
    for path in (built, scoring_seed.copy_beside(built)):
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by its owner alone"
    with zipfile.ZipFile(built) as archive:
        info = archive.getinfo(scoring_seed.FILE_IN_ZIP)
        assert (info.external_attr >> 16) & 0o077 == 0, "readable by its owner alone"
    again = tmp_path / "again.zip"
    assert cli.main(["build", "--out", str(again), "--secret-from", str(built)]) == 0
    assert again.read_bytes() == built.read_bytes(), "same source, same seed: same bytes"
    fresh = tmp_path / "fresh.zip"
    assert cli.main(["build", "--out", str(fresh)]) == 0
    assert scoring_seed.read(fresh).value != seed.value, "each build without --secret-from makes a new seed"
    assert cli.main(["student-kit", "--out", str(tmp_path / "kit.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "kit.zip") as kit:
        everything = b"".join(kit.read(name) for name in kit.namelist())
    assert str(seed.value).encode() not in everything and scoring_seed.FILE_IN_ZIP.encode() not in everything


def test_secret_from_a_file_that_holds_none_is_an_error(tmp_path, capsys):
    (tmp_path / "nothing.txt").write_text("hello\n")
    assert cli.main(["grade", str(EXAMPLE), "--secret-from", str(tmp_path / "nothing.txt")]) == 2
    assert "does not hold a scoring seed" in capsys.readouterr().err


# -- the kit ships no answer --------------------------------------------------------------------


@pytest.fixture(scope="module")
def kit_texts(tmp_path_factory):
    """``{name: text}`` of every file of the default rubric's kit."""
    folder = tmp_path_factory.mktemp("kit")
    assert cli.main(["student-kit", "--out", str(folder / "kit.zip")]) == 0
    with zipfile.ZipFile(folder / "kit.zip") as kit:
        return {name: kit.read(name).decode("utf-8") for name in kit.namelist() if not name.endswith("/")}


@pytest.mark.parametrize("part", sorted(ANSWERS))
def test_the_kit_holds_no_official_answer(kit_texts, part):
    answers = ANSWERS[part] + ALL_WEIGHTS_2x2 * (part == "a") + ["defsoftmax"] * (part == "d")
    if part == "a":
        # (b)'s check draws the weights it passes to the student, who receives them and
        # can read their shapes: its code's (s_dim, x_dim) tells no more than that.
        answers = [a for a in answers if "_dim" not in a]
    found = {}
    for name, text in kit_texts.items():
        hits = stated_answers(text, answers)
        if hits:
            found[name] = hits
    assert not found, found


def test_the_kits_checks_have_no_comment_docstring_or_mistake_table(kit_texts):
    texts = kit_texts
    checks = {name: text for name, text in texts.items() if "/question/checks/check_part_" in name}
    assert checks, "the kit holds the visible checks"
    for name, text in checks.items():
        assert "#" not in re.sub(r"(['\"]).*?\1", "", text), f"{name} keeps a comment"
        assert '"""' not in text, f"{name} keeps a docstring"
        assert "COMMON_MISTAKES" not in text and "LOOKALIKES" not in text, name
