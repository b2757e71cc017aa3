"""autograder.submission.locate: which file of an upload is graded, and what the student
is told when none can be."""

import pytest

from autograder.submission import SubmissionProblem, locate

MODULE = "we_recur.py"


def make(folder, *names):
    """Create ``names`` (paths relative to ``folder``) as small files; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# a file\n")
    return folder


def test_lone_file(tmp_path):
    path = make(tmp_path, "answers.py") / "answers.py"
    located = locate(path, MODULE)
    assert (located.module, located.folder, located.notes) == (path, None, ())


def test_lone_file_that_is_not_python(tmp_path):
    path = make(tmp_path, "answers.ipynb") / "answers.ipynb"
    with pytest.raises(SubmissionProblem) as caught:
        locate(path, MODULE)
    assert "answers.ipynb" in caught.value.feedback
    assert MODULE in caught.value.feedback


def test_folder_with_the_module_among_others(tmp_path):
    folder = make(tmp_path / "upload", MODULE, "helpers.py", "notes.txt", "data/table.csv")
    located = locate(folder, MODULE)
    assert (located.module, located.folder, located.notes) == (folder / MODULE, folder, ())


def test_exactly_one_other_python_file_is_graded_with_a_note(tmp_path):
    folder = make(tmp_path / "upload", "my_answers.py", "README.md")
    located = locate(folder, MODULE)
    assert (located.module, located.folder) == (folder / "my_answers.py", folder)
    (note,) = located.notes
    assert "my_answers.py" in note and MODULE in note


def test_several_python_files_none_named_the_module(tmp_path):
    folder = make(tmp_path / "upload", "part1.py", "part2.py", "utils.py")
    with pytest.raises(SubmissionProblem) as caught:
        locate(folder, MODULE)
    feedback = caught.value.feedback
    assert all(name in feedback for name in ("part1.py", "part2.py", "utils.py", MODULE))


def test_nested_one_level(tmp_path):
    folder = make(tmp_path / "upload", f"hw7/{MODULE}", "hw7/helpers.py", "README.md")
    located = locate(folder, MODULE)
    assert located.module == folder / "hw7" / MODULE
    assert located.folder == folder, "the whole upload is copied, so hw7/helpers.py stays importable"
    (note,) = located.notes
    assert f"hw7/{MODULE}" in note


def test_nested_two_levels_is_not_searched(tmp_path):
    folder = make(tmp_path / "upload", f"a/b/{MODULE}")
    with pytest.raises(SubmissionProblem, match=MODULE):
        locate(folder, MODULE)


def test_nested_in_two_folders_is_ambiguous(tmp_path):
    folder = make(tmp_path / "upload", f"v1/{MODULE}", f"v2/{MODULE}")
    with pytest.raises(SubmissionProblem, match=MODULE):
        locate(folder, MODULE)


def test_top_level_module_wins_over_nested_ones(tmp_path):
    folder = make(tmp_path / "upload", MODULE, f"old/{MODULE}")
    assert locate(folder, MODULE).module == folder / MODULE


def test_empty_folder(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    with pytest.raises(SubmissionProblem) as caught:
        locate(folder, MODULE)
    assert MODULE in caught.value.feedback
    assert "empty" in caught.value.feedback


def test_folder_without_python_lists_what_it_holds(tmp_path):
    folder = make(tmp_path / "upload", "answers.ipynb", "README.md")
    with pytest.raises(SubmissionProblem) as caught:
        locate(folder, MODULE)
    assert "answers.ipynb" in caught.value.feedback and MODULE in caught.value.feedback


def test_missing_path(tmp_path):
    with pytest.raises(SubmissionProblem, match="does not exist"):
        locate(tmp_path / "nowhere", MODULE)


def test_a_folder_named_like_the_module_is_not_the_module(tmp_path):
    folder = make(tmp_path / "upload", f"{MODULE}/inner.txt", "answers.py")
    located = locate(folder, MODULE)
    assert located.module == folder / "answers.py"


def test_hidden_python_files_are_ignored(tmp_path):
    folder = make(tmp_path / "upload", "._answers.py", "answers.py")
    assert locate(folder, MODULE).module == folder / "answers.py"
