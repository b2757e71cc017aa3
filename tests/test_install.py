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


FAKE_PYTHON = """#!/bin/sh
# python3 as Debian ships it without python3-venv: everything works but `-m venv`.
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  echo "The virtual environment was not created successfully because ensurepip is not available." >&2
  exit 1
fi
exec {python} "$@"
"""


def test_dev_says_what_to_install_when_python_has_no_venv_module(tmp_path):
    """``./dev demo`` on a bare Debian: it names the package to install, not only ensurepip."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("dev", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(REPO / name, checkout / name)
    fake = tmp_path / "bin" / "python3"
    fake.parent.mkdir()
    fake.write_text(FAKE_PYTHON.format(python=shutil.which("python3") or sys.executable))
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([checkout / "dev", "demo"], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"dev: python3 could not create {checkout / '.venv'}; on Debian/Ubuntu install its venv module "
        "(apt-get install python3-venv), then run ./dev again"
    )
