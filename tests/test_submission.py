"""autograder.submission.locate: which file of an upload is graded, and what the student
is told when none can be."""

import json
import os
from pathlib import Path

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


# -- links and names that are not UTF-8 ------------------------------------------------------------


def link(path, target):
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)
    return path


ROOT_ONLY = "/etc/shadow"


@pytest.mark.parametrize("name", [MODULE, "we_recur.ipynb"])
def test_a_module_or_notebook_that_is_a_link_is_not_graded(tmp_path, name):
    folder = make(tmp_path / "upload", "helpers.py")
    link(folder / name, ROOT_ONLY)
    with pytest.raises(SubmissionProblem) as caught:
        locate(folder, MODULE)
    assert f"`{name}` is a symbolic link" in caught.value.feedback
    assert "not accepted" in caught.value.feedback


@pytest.mark.parametrize("name", ["answers.py", "answers.ipynb"])
def test_a_lone_file_that_is_a_link_is_not_graded(tmp_path, name):
    path = link(tmp_path / name, ROOT_ONLY)
    with pytest.raises(SubmissionProblem, match=f"`{name}` is a symbolic link"):
        locate(path, MODULE)


def test_a_link_to_a_good_notebook_is_refused_too(tmp_path):
    good = tmp_path / "elsewhere" / "we_recur.ipynb"
    good.parent.mkdir()
    good.write_text(json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": "x = 1"}]}))
    folder = tmp_path / "upload"
    link(folder / "we_recur.ipynb", good)
    with pytest.raises(SubmissionProblem, match="`we_recur.ipynb` is a symbolic link"):
        locate(folder, MODULE)


def test_linked_files_are_not_candidates_and_the_student_is_told(tmp_path):
    folder = make(tmp_path / "upload", "answers.py")
    link(folder / "other.py", folder / "answers.py")
    link(folder / "scratch.ipynb", ROOT_ONLY)
    located = locate(folder, MODULE)
    assert located.module == folder / "answers.py"
    assert located.notes[-1] == (
        "Symbolic links are not accepted, so `other.py`, `scratch.ipynb` were left out: neither graded nor copied."
    )


def test_a_linked_sub_folder_is_not_followed(tmp_path):
    make(tmp_path / "elsewhere", MODULE)
    folder = tmp_path / "upload"
    link(folder / "hw7", tmp_path / "elsewhere")
    with pytest.raises(SubmissionProblem) as caught:
        locate(folder, MODULE)
    assert f"Missing `{MODULE}`" in caught.value.feedback
    assert "`hw7` is a symbolic link" in caught.value.feedback


def test_a_nested_module_that_is_a_link_is_not_graded(tmp_path):
    folder = make(tmp_path / "upload", "README.md")
    link(folder / "hw7" / MODULE, ROOT_ONLY)
    with pytest.raises(SubmissionProblem, match=f"`hw7/{MODULE}` is a symbolic link"):
        locate(folder, MODULE)


def test_names_that_are_not_utf8_are_located_and_shown_replaced(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    Path(os.fsdecode(os.fsencode(folder) + b"/r\xe9ponses.py")).write_text("x = 1\n")
    located = locate(folder, MODULE)
    assert os.fsencode(located.module.name) == b"r\xe9ponses.py"
    (note,) = located.notes
    assert "`r\ufffdponses.py`" in note
    Path(os.fsdecode(os.fsencode(folder) + b"/\xff.py")).write_text("x = 1\n")
    with pytest.raises(SubmissionProblem) as caught:
        locate(folder, MODULE)
    assert "`r\ufffdponses.py`" in caught.value.feedback and "`\ufffd.py`" in caught.value.feedback
    caught.value.feedback.encode("utf-8")


def test_the_copy_beside_a_notebook_leaves_links_and_fifos_out(tmp_path):
    folder = make(tmp_path / "upload", "helpers.py", "data/table.csv")
    (folder / "we_recur.ipynb").write_text(json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": "x = 1"}]}))
    link(folder / "secret.txt", ROOT_ONLY)
    link(folder / "data" / "etc", "/etc")
    os.mkfifo(folder / "pipe.py")
    located = locate(folder, MODULE)
    copied = sorted(p.relative_to(located.folder).as_posix() for p in located.folder.rglob("*"))
    assert copied == ["data", "data/table.csv", "helpers.py", "we_recur.ipynb", MODULE]
