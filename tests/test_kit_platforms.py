"""The student kit runs where students are: fresh venvs with numpy 1.26, 2.0 and the
newest 2.x; a Python without ``fork``, ``fcntl``, ``resource``, ``pwd``, ``setsid`` or
``select`` on pipes (Windows, simulated); and a Jupyter kernel, whose ``sys.path`` and
life ``%run check.py`` and ``check.check()`` leave alone."""

import concurrent.futures
import json
import os
import subprocess
import threading
import time
import sys
import uuid
from pathlib import Path

import pytest

from autograder import cli
from autograder.sandbox import portable, wire
from test_kit import unzip, venv_with_numpy

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
CORRECT = SUBMISSIONS / "correct" / "we_recur.py"
#: Where the venvs come from: the system's Python, as a student's would.
SYSTEM_PYTHON = Path("/usr/bin/python3")
#: numpy lines a student may have: the last 1.x, the first 2.x, and the newest.
NUMPY_LINES = {"1.26": "numpy==1.26.*", "2.0": "numpy==2.0.*", "newest 2.x": "numpy>=2,<3"}

#: Installed into a Python's site-packages, so the kit's own process and every
#: interpreter it starts (with -I) see Windows' gaps: no fcntl, resource or pwd, no
#: fork, register_at_fork or setsid, and select() on a pipe refused (WinError 10038).
WINDOWS_LIKE = '''
import os, select, sys

class _Absent:
    def find_spec(self, name, path=None, target=None):
        if name in ("fcntl", "resource", "pwd"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _Absent())
for _name in ("fcntl", "resource", "pwd"):
    sys.modules.pop(_name, None)
for _name in ("fork", "register_at_fork", "setsid"):
    if hasattr(os, _name):
        delattr(os, _name)

def _select(*args, **kwargs):
    raise OSError(10038, "An operation was attempted on something that is not a socket")

select.select = _select
'''


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit")
    assert cli.main(["student-kit", "--out", str(folder / "kit.zip")]) == 0
    return unzip(folder / "kit.zip", folder / "unzipped")


def clean_env(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, **extra}


def run_kit(python, kit_folder, *args, timeout=300):
    return subprocess.run([str(python), "check.py", *map(str, args)], cwd=kit_folder, env=clean_env(),
                          capture_output=True, text=True, timeout=timeout)


# -- fresh venvs, numpy from PyPI -------------------------------------------------------------


def _fresh_venv(folder, requirement):
    """A venv of the system's Python with ``requirement`` from PyPI (no cache outside ``folder``)."""
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(folder)], check=True, capture_output=True, timeout=300)
    python = folder / "bin" / "python"
    env = clean_env(PIP_CACHE_DIR=str(folder / "pip-cache"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", requirement], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return python


@pytest.fixture(scope="module")
def numpy_venvs(tmp_path_factory):
    """``{numpy line: python}``, the venvs built side by side."""
    if not SYSTEM_PYTHON.is_file():
        pytest.skip(f"{SYSTEM_PYTHON} is not there to make venvs from")
    root = tmp_path_factory.mktemp("venvs")
    with concurrent.futures.ThreadPoolExecutor(len(NUMPY_LINES)) as pool:
        futures = {line: pool.submit(_fresh_venv, root / f"numpy-{index}", requirement)
                   for index, (line, requirement) in enumerate(NUMPY_LINES.items())}
        return {line: future.result() for line, future in futures.items()}


@pytest.mark.parametrize("line", list(NUMPY_LINES))
def test_kit_grades_the_correct_example_with_each_numpy(kit, numpy_venvs, line):
    python = numpy_venvs[line]
    version = subprocess.run([str(python), "-c", "import numpy; print(numpy.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version.startswith(line if line != "newest 2.x" else "2."), version
    done = run_kit(python, kit, CORRECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Visible checks: 12 / 12 points" in done.stdout
    wrong = run_kit(python, kit, SUBMISSIONS / "b_no_transpose")
    assert wrong.returncode == 1 and "[FAIL] 0/2  (b)" in wrong.stdout, wrong.stdout + wrong.stderr


def test_the_threaded_reader_waits_with_a_deadline_and_no_select(monkeypatch):
    monkeypatch.setattr(wire.select, "select", lambda *args: pytest.fail("select() was called"))
    read_end, write_end = os.pipe()
    reader = portable.ThreadedFrameReader(read_end, max_blob_bytes=1 << 20)
    started = time.monotonic()
    with pytest.raises(wire.FrameTimeout):
        reader.read(deadline=started + 0.2)
    assert 0.2 <= time.monotonic() - started < 2.0
    frame = wire.pack({"op": "hello"}, [b"\n\r\n" * 100_000])  # more than a pipe holds, in pieces
    for start in range(0, len(frame), 7919):
        os.write(write_end, frame[start:start + 7919])
    assert reader.read(deadline=time.monotonic() + 5) == ({"op": "hello"}, [b"\n\r\n" * 100_000])
    assert not reader.pending()
    os.write(write_end, b"x")
    time.sleep(0.1)
    assert reader.pending()  # bytes nobody asked for
    os.close(write_end)
    with pytest.raises(wire.WireError):
        reader.read(deadline=time.monotonic() + 5)
    os.close(read_end)
    deadline = time.monotonic() + 5
    while any(thread.name == "autograder-reply" for thread in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(thread.name == "autograder-reply" for thread in threading.enumerate())


# -- a Python with Windows' gaps -------------------------------------------------------------------


@pytest.fixture(scope="module")
def windows_like_python(tmp_path_factory):
    """A venv whose every interpreter lacks what Windows lacks, with the dev venv's numpy."""
    python, target = venv_with_numpy(tmp_path_factory.mktemp("windows-like"))
    (target / "sitecustomize.py").write_text(WINDOWS_LIKE)
    return python


def test_the_windows_like_python_lacks_what_windows_lacks(windows_like_python):
    probe = ("import os, select\n"
             "for name in ('fcntl', 'resource', 'pwd'):\n"
             "    try:\n        __import__(name)\n        print(name, 'imported')\n"
             "    except ImportError:\n        pass\n"
             "print([name for name in ('fork', 'register_at_fork', 'setsid') if hasattr(os, name)])\n"
             "r, w = os.pipe()\n"
             "try:\n    select.select([r], [], [], 0)\nexcept OSError:\n    print('no select')\n")
    for flags in ([], ["-I"]):  # the kit's own process, and the workers it starts
        done = subprocess.run([str(windows_like_python), *flags, "-c", probe], capture_output=True, text=True)
        assert done.stdout.split("\n")[:2] == ["[]", "no select"], done.stdout + done.stderr


def test_kit_grades_without_fork_fcntl_resource_or_select(kit, windows_like_python):
    right = run_kit(windows_like_python, kit, CORRECT)
    assert right.returncode == 0, right.stdout + right.stderr
    assert "Visible checks: 12 / 12 points" in right.stdout
    (line,) = [text for text in right.stdout.splitlines() if text.startswith("Protections reduced")]
    assert "no memory or CPU time limits" in line and "an interpreter of its own" in line
    wrong = run_kit(windows_like_python, kit, SUBMISSIONS / "b_no_transpose")
    assert wrong.returncode == 1
    assert "[FAIL] 0/2  (b)" in wrong.stdout and "matched the reference on 0 of 25" in wrong.stdout
    assert "[PASS] 2/2  (a)" in wrong.stdout


def _processes_with(token):
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and token.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_an_infinite_loop_times_out_and_its_process_tree_is_ended(kit, windows_like_python, tmp_path):
    token = f"kit-tree-{uuid.uuid4().hex}"
    (tmp_path / "we_recur.py").write_text(
        "import os, subprocess, sys\n"
        "print('fork here:', hasattr(os, 'fork'))\n"
        # The interpreter itself, without site: the file-system confinement (Landlock, which
        # this Linux still has) does not let a venv's python read its pyvenv.cfg.
        "PYTHON = [os.path.realpath(sys.executable), '-I', '-S', '-c']\n"
        f"SLEEP = PYTHON + ['import time; time.sleep(600)', {token!r}]\n"
        "PARENT = PYTHON + ['import subprocess, sys, time; subprocess.Popen(sys.argv[1:]); time.sleep(600)']\n"
        "def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):\n"
        "    subprocess.Popen(SLEEP)\n"
        "    subprocess.Popen(PARENT + SLEEP)\n"  # a child, and a grandchild below another child
        "    while True:\n"
        "        pass\n"
    )
    kit_run = subprocess.Popen([str(windows_like_python), "check.py", str(tmp_path / "we_recur.py")], cwd=kit,
                               env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    most = 0
    while kit_run.poll() is None:
        most = max(most, len(_processes_with(token)))
        time.sleep(0.05)
    out, err = kit_run.communicate()
    assert most == 3, f"the student's code started {most} of its 3 processes\n{out}{err}"
    assert "`rnn_a_shapes` used all of its" in out and "was stopped (an infinite loop" in out, out + err
    assert "fork here: False" in out  # the student's code, too, ran without fork
    time.sleep(0.2)
    assert _processes_with(token) == [], "a process the student's code started outlived the self-check"


# -- Jupyter ---------------------------------------------------------------------------------------


def test_run_check_and_check_function_leave_the_kernel_alone(kit):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import sys\nbefore_path = list(sys.path)\nbefore_modules = set(sys.modules)",
        "%run check.py we_recur.py",  # the starter: it fails, which a script would sys.exit(1) for
        f"import check\nreport = check.check({str(CORRECT)!r})",
        "!python check.py we_recur.py > /dev/null; echo status=$?",
        "import json\n"
        "added = sorted(name for name in set(sys.modules) - before_modules\n"
        "               if name.split('.')[0] in ('autograder', 'gradescope_utils'))\n"
        "print(json.dumps({'path_unchanged': sys.path == before_path, 'added': added, 'passed': report.passed}))",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    client = nbclient.NotebookClient(notebook, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(kit)}})
    client.execute()
    outputs = [[output for output in cell.outputs] for cell in notebook.cells]
    text = ["".join(output.get("text", "") for output in cell) for cell in outputs]
    assert not [output for cell in outputs for output in cell if output.output_type == "error"], outputs
    assert "SystemExit" not in "".join(text)
    assert "Self-check of we_recur.py" in text[1] and "NotImplementedError" in text[1]
    assert "Visible checks: 12 / 12 points" in text[2]
    assert "status=1" in text[3]
    assert json.loads(text[4]) == {"path_unchanged": True, "added": [], "passed": True}


def test_where_no_process_can_start_the_kit_says_so_in_one_line(kit):
    as_in_a_browser = "import runpy, sys; sys.platform = 'emscripten'; runpy.run_path('check.py', run_name='__main__')"
    done = subprocess.run([sys.executable, "-c", as_in_a_browser, "we_recur.py"], cwd=kit, env=clean_env(),
                          capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert "inside a web browser" in line and "python check.py in a terminal" in line
