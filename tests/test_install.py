"""``pip install .``: the wheel holds the grader, the reference and the rubric, and the
``autograder`` command it installs is ``python -m autograder``, run from the installed
copy (not the checkout)."""

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: What the wheel is built from: the packaging files and every installed folder.
PACKAGED = ("pyproject.toml", "README.md", "requirements.txt", "autograder", "reference", "rubrics", "questions")


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, **kwargs)
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    return done.stdout


def test_pip_install_gives_the_autograder_command(tmp_path):
    source = tmp_path / "source"  # a clean copy: no build/ of an earlier run can slip into the wheel
    for name in PACKAGED:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif (REPO / name).is_file():
            source.mkdir(exist_ok=True)
            shutil.copy(REPO / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "wheel"), str(source)])
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rubrics/we_recur.yaml" in names and "autograder/checks/pytest.ini" in names
    assert "reference/rnn_a.py" in names and "autograder/sandbox/worker.py" in names
    assert not any(name.startswith("tests/") for name in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    # The pinned dependencies from this environment (no download); the project from the wheel.
    packages = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()
    Path(packages, "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run([python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)])

    installed = run([python, "-c", "import autograder; print(autograder.__file__)"], cwd=tmp_path).strip()
    assert installed.startswith(packages), installed
    command = run([venv / "bin" / "autograder", "--help"], cwd=tmp_path)
    assert command == run([python, "-m", "autograder", "--help"], cwd=tmp_path)
    assert "batch" in command and "grade" in command
    lint = run([venv / "bin" / "autograder", "lint", Path(packages, "rubrics", "we_recur.yaml")], cwd=tmp_path)
    assert "12 points in 6 parts" in lint
