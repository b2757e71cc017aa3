"""autograder.sandbox.session: the Sandbox on small temporary modules. Every failure of
the student's code becomes a StudentCodeError with feedback; timeouts are bounded and
not repeated; the worker is replaced after it dies; the submission is a scratch copy."""

import os
import secrets
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from autograder.sandbox.errors import (
    BadReturn,
    CallTimedOut,
    ImportFailed,
    MissingFunction,
    SignatureMismatch,
    StudentRaised,
    WorkerDied,
)
from autograder.sandbox.session import Limits, Sandbox, copy_submission

FAST = Limits(call_timeout=1, import_timeout=10, total_timeout=30)

GOOD = '''\
import numpy as np

SIZE = 3


def add(a, b=0):
    return a + b


def shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim)}


def column(n):
    return np.arange(n, dtype=np.float64).reshape(n, 1)


def mixed():
    return [np.float64(1.5), np.int64(2), np.bool_(True), None, "text", (1, 2)]


def _private():
    return 1


class Thing:
    pass
'''


@pytest.fixture
def sandbox(tmp_path):
    """``sandbox(source, limits=FAST, files={}) -> Sandbox`` on a folder holding
    we_recur.py (and ``files``); every sandbox is closed at the end of the test."""
    opened = []

    def make(source, *, limits=FAST, files=None):
        folder = tmp_path / f"submission{len(opened)}"
        folder.mkdir()
        (folder / "we_recur.py").write_text(textwrap.dedent(source))
        for name, text in (files or {}).items():
            (folder / name).write_text(text)
        box = Sandbox(folder / "we_recur.py", folder=folder, limits=limits)
        opened.append(box)
        return box

    yield make
    for box in opened:
        box.close()


def line_of(source, text):
    """The 1-based line of ``source`` holding ``text``."""
    return next(i for i, line in enumerate(textwrap.dedent(source).splitlines(), 1) if text in line)


# -- importing and calling ---------------------------------------------------------------------


def test_import_report_lists_public_functions(sandbox):
    report = sandbox(GOOD).import_module()
    assert report.module_name == "we_recur"
    assert {"add", "shapes", "column", "mixed", "Thing"} <= set(report.functions)
    assert "_private" not in report.functions
    assert "SIZE" not in report.functions and "np" not in report.functions
    assert report.functions["add"] == "add(a, b=0)"


def test_call_returns_plain_values(sandbox):
    box = sandbox(GOOD)
    assert box.call("add", 2, 3) == 5
    assert box.call("add", 2.5) == 2.5
    np.testing.assert_array_equal(box.call("column", 3), np.array([[0.0], [1.0], [2.0]]))
    assert box.call("column", 3).dtype == np.float64
    assert box.call("mixed") == [1.5, 2, True, None, "text", [1, 2]]
    assert [type(v) for v in box.call("mixed")[:3]] == [float, int, bool]


def test_call_sends_arrays(sandbox):
    box = sandbox(GOOD)
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    np.testing.assert_array_equal(box.call("add", a, a), 2 * a)


def test_keyword_arguments(sandbox):
    box = sandbox(GOOD)
    assert box.call("shapes", s_dim=3, x_dim=4) == {"W_ss": [3, 3], "W_sx": [3, 4]}
    assert box.call("add", 1, b=10) == 11


def test_call_each_returns_one_value_per_call(sandbox):
    box = sandbox(GOOD)
    assert box.call_each("add", [((1, 2), {}), ((3,), {"b": 4}), ((5,), {})]) == [3, 7, 5]


def test_missing_function(sandbox):
    box = sandbox(GOOD)
    with pytest.raises(MissingFunction, match="`rnn_b_f2`"):
        box.call("rnn_b_f2", 1)
    with pytest.raises(MissingFunction, match="`_private`"):
        box.call("_private")


def test_wrong_signature_names_the_students_signature(sandbox):
    box = sandbox(GOOD)
    with pytest.raises(SignatureMismatch) as caught:
        box.call("add", 1, 2, 3, 4, 5)
    assert "add(a, b=0)" in caught.value.feedback
    with pytest.raises(SignatureMismatch):
        box.call("shapes", q_dim=3)
    assert box.call("add", 1, 1) == 2, "a signature mismatch does not cost the worker"


RAISES = '''\
def half(x):
    if x < 0:
        raise ValueError("x must be non-negative")
    return x / 2


def outer(x):
    return half(x)
'''


def test_raising_names_the_exception_and_the_students_lines(sandbox):
    box = sandbox(RAISES)
    with pytest.raises(StudentRaised) as caught:
        box.call("outer", -1)
    feedback = caught.value.feedback
    assert "ValueError: x must be non-negative" in feedback
    assert f"line {line_of(RAISES, 'raise ValueError')}" in feedback
    assert f"line {line_of(RAISES, 'return half(x)')}" in feedback
    assert "session.py" not in feedback and "worker.py" not in feedback
    assert box.call("outer", 4) == 2.0


def test_sys_exit_in_a_call_is_reported(sandbox):
    box = sandbox("import sys\n\ndef leave():\n    sys.exit(0)\n\ndef ok():\n    return 1\n")
    with pytest.raises(StudentRaised, match="sys.exit"):
        box.call("leave")
    assert box.call("ok") == 1


# -- time ------------------------------------------------------------------------------------

SLOW = '''\
import time


def forever():
    while True:
        pass


def nap(seconds):
    time.sleep(seconds)
    return seconds


def ok():
    return "ok"
'''


def test_timeout_is_not_waited_for_twice(sandbox):
    box = sandbox(SLOW)
    started = time.monotonic()
    with pytest.raises(CallTimedOut, match="used all of its 1 s of CPU time"):
        box.call("forever")
    assert 0.9 <= time.monotonic() - started < 4.0
    assert "forever" in box.timed_out
    started = time.monotonic()
    with pytest.raises(CallTimedOut, match="earlier"):
        box.call("forever")
    assert time.monotonic() - started < 0.5


def test_worker_is_restarted_after_a_timeout(sandbox):
    box = sandbox(SLOW)
    with pytest.raises(CallTimedOut):
        box.call("forever")
    assert box.call("ok") == "ok"
    assert box.call("nap", 0) == 0


BUSY = '''\
import signal
import time


def busy(seconds):
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
    return seconds


def stubborn():
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPROF, signal.SIGALRM})
    while True:
        pass


def nap(seconds):
    time.sleep(seconds)
    return seconds
'''


def test_each_call_has_its_own_limit(sandbox):
    box = sandbox(BUSY, limits=Limits(call_timeout=0.5, import_timeout=10, total_timeout=30))
    assert box.call_each("busy", [((0.3,), {})] * 4) == [0.3] * 4  # 1.2 s in one exchange
    with pytest.raises(CallTimedOut, match=r"`busy` \(call 3 of 4\) used all of its 0\.5 s of CPU time"):
        box.call_each("busy", [((0.1,), {}), ((0.1,), {}), ((5,), {}), ((0.1,), {})])


def test_a_busy_machine_does_not_fail_honest_code(sandbox):
    """The limit counts the call's CPU time: while other processes take every core, a call
    that computes for 0.3 s of its 0.5 s takes longer by the clock, and still returns."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2 * (os.cpu_count() or 1))]
    try:
        box = sandbox(BUSY, limits=Limits(call_timeout=0.5, import_timeout=10, total_timeout=30))
        assert box.call_each("busy", [((0.3,), {})] * 3) == [0.3] * 3
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def test_waiting_code_meets_the_clock(sandbox):
    box = sandbox(BUSY, limits=Limits(call_timeout=0.25, import_timeout=10, total_timeout=30, wall_factor=4))
    started = time.monotonic()
    with pytest.raises(CallTimedOut, match="waiting 1 s by the clock"):
        box.call("nap", 30)
    assert time.monotonic() - started < 3.0


def test_code_that_blocks_the_timers_meets_the_graders_deadline(sandbox):
    box = sandbox(BUSY, limits=Limits(call_timeout=0.25, import_timeout=10, total_timeout=30, wall_factor=4))
    started = time.monotonic()
    with pytest.raises(CallTimedOut, match="did not finish within"):
        box.call("stubborn")
    assert time.monotonic() - started < 4.0
    assert box.call("busy", 0) == 0  # in a new worker


COUNTING = '''\
calls = []


def count(x):
    calls.append(x)
    print("call", len(calls))
    return [len(calls), x]
'''


def test_the_same_call_is_answered_once(sandbox):
    """A call asked again with equal arguments gets a copy of the first answer without
    reaching the worker; other arguments, or another function, reach it."""
    box = sandbox(COUNTING)
    box.calls_for = "first"
    first = box.call("count", np.array([1.0, 2.0]))
    assert first[0] == 1
    first[1][0] = 99.0  # the caller's copy: what is remembered stays as it came
    box.calls_for = "second"
    again = box.call("count", np.array([1.0, 2.0]))
    assert again[0] == 1 and again[1].tolist() == [1.0, 2.0]
    assert box.call("count", np.array([1.0, 2.5]))[0] == 2
    assert box.call_each("count", [((np.array([1.0, 2.0]),), {}), ((3,), {})])[1][0] == 4  # a new request
    assert "call 1" in box.printed_output("first")
    assert "call 1" not in box.printed_output("second") and "call 2" in box.printed_output("second")


def test_no_wait_outlasts_the_budget(sandbox):
    box = sandbox(BUSY, limits=Limits(call_timeout=5, import_timeout=10, total_timeout=1.5))
    started = time.monotonic()
    with pytest.raises(CallTimedOut) as raised:
        box.call("stubborn")
    assert time.monotonic() - started < 1.5 + 1.5
    assert "-" not in str(raised.value.feedback)
    with pytest.raises(CallTimedOut, match="whole submission"):
        box.call("busy", 0)


def test_total_time_budget(sandbox):
    box = sandbox(SLOW, limits=Limits(call_timeout=1, import_timeout=10, total_timeout=1.2))
    started = time.monotonic()
    assert box.call("nap", 0.7) == 0.7
    with pytest.raises(CallTimedOut):
        box.call("nap", 0.69)  # only about 0.5 s of the budget is left
    with pytest.raises(CallTimedOut, match="whole submission"):
        box.call("ok")
    assert time.monotonic() - started < 4.0


def test_import_timeout(sandbox):
    box = sandbox("while True:\n    pass\n", limits=Limits(call_timeout=1, import_timeout=1, total_timeout=30))
    started = time.monotonic()
    with pytest.raises(ImportFailed, match="imported"):
        box.import_module()
    assert time.monotonic() - started < 4.0
    started = time.monotonic()
    with pytest.raises(ImportFailed):
        box.call("anything")
    assert time.monotonic() - started < 0.5, "a failed import is not retried"


# -- the worker's death and unusable values -----------------------------------------------------


def test_os_exit_is_worker_died_and_the_next_call_works(sandbox):
    box = sandbox("import os\n\ndef die():\n    os._exit(7)\n\ndef ok():\n    return 1\n")
    with pytest.raises(WorkerDied) as caught:
        box.call("die")
    assert "exit code 7" in caught.value.feedback
    assert box.call("ok") == 1


def test_huge_return_is_bad_return(sandbox):
    limits = Limits(call_timeout=2, import_timeout=10, total_timeout=30, max_value_bytes=1024 * 1024)
    box = sandbox("import numpy as np\n\ndef huge():\n    return np.zeros(300_000)\n\ndef ok():\n    return 1\n", limits=limits)
    started = time.monotonic()
    with pytest.raises(BadReturn, match="larger"):
        box.call("huge")
    assert time.monotonic() - started < 1.5
    assert box.call("ok") == 1


def test_unencodable_return_arrives_as_unsupported(sandbox):
    from autograder.sandbox.wire import Unsupported

    box = sandbox("def gen():\n    return (i for i in range(3))\n")
    value = box.call("gen")
    assert type(value) is Unsupported and "generator" in value.what


# -- import failures ---------------------------------------------------------------------------


def test_syntax_error_at_import_names_the_line(sandbox):
    source = "import numpy as np\n\n\ndef f(x)\n    return x\n"
    box = sandbox(source)
    with pytest.raises(ImportFailed) as caught:
        box.import_module()
    assert "syntax error" in caught.value.feedback
    assert "line 4" in caught.value.feedback
    with pytest.raises(ImportFailed, match="line 4"):
        box.call("f", 1)


def test_exception_at_import_names_the_line(sandbox):
    source = "x = 1\ny = [][x]\n\ndef f():\n    return 1\n"
    with pytest.raises(ImportFailed) as caught:
        sandbox(source).import_module()
    assert "IndexError" in caught.value.feedback
    assert "line 2" in caught.value.feedback


def test_sys_exit_at_import(sandbox):
    box = sandbox("import sys\nsys.exit(0)\n\ndef f():\n    return 1\n")
    with pytest.raises(ImportFailed, match="sys.exit"):
        box.import_module()
    with pytest.raises(ImportFailed):
        box.call("f")


# -- printed output ------------------------------------------------------------------------------


def test_printed_output_is_captured(sandbox):
    source = 'import os\nprint("hello from import")\n\ndef talk(n):\n    print("spoken" * n)\n    return n\n'
    box = sandbox(source)
    assert box.call("talk", 2) == 2
    printed = box.printed_output()
    assert "hello from import" in printed
    assert "spokenspoken" in printed


def test_printed_output_is_truncated(sandbox):
    limits = Limits(call_timeout=1, import_timeout=10, total_timeout=30, max_printed_chars=200)
    box = sandbox('def talk():\n    print("z" * 100_000)\n    return 0\n', limits=limits)
    for _ in range(3):
        assert box.call("talk") == 0
    printed = box.printed_output()
    assert "zzzz" in printed
    assert len(printed) < 400
    assert "not shown" in printed


def test_output_written_to_the_raw_descriptors_is_collected_and_capped(sandbox):
    limits = Limits(call_timeout=1, import_timeout=10, total_timeout=30, max_printed_chars=300)
    box = sandbox('import os\n\ndef raw():\n    os.write(1, b"R" * 50_000)\n    return 0\n', limits=limits)
    assert box.call("raw") == 0
    box.close()
    printed = box.printed_output()
    assert "RRRR" in printed
    assert len(printed) < 700


# -- the submission folder --------------------------------------------------------------------------

WRITER = '''\
import os


def vandalize():
    with open("we_recur.py", "a") as f:
        f.write("# changed by the student")
    with open("data.txt", "w") as f:
        f.write("overwritten")
    with open("new.txt", "w") as f:
        f.write("new")
    return os.getcwd()


def read(name):
    with open(name) as f:
        return f.read()


def exists(name):
    return os.path.lexists(name)
'''


def test_the_submission_is_copied_to_scratch(sandbox, tmp_path):
    box = sandbox(WRITER, files={"data.txt": "original"})
    folder = box.folder
    before = {p.name: p.read_text() for p in folder.iterdir()}
    cwd = box.call("vandalize")
    assert os.path.realpath(cwd) != os.path.realpath(folder)
    assert box.call("read", "data.txt") == "overwritten"
    assert {p.name: p.read_text() for p in folder.iterdir()} == before


def test_symlinks_in_the_submission_are_not_followed(sandbox, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the answer key")
    secret_folder = tmp_path / "secret_folder"
    secret_folder.mkdir()
    (secret_folder / "key.txt").write_text("the answer key")
    box = sandbox(WRITER)
    (box.folder / "link.txt").symlink_to(secret)
    (box.folder / "linked_folder").symlink_to(secret_folder, target_is_directory=True)
    assert box.call("exists", "we_recur.py") is True
    assert box.call("exists", "link.txt") is False
    assert box.call("exists", "linked_folder") is False


def test_copy_submission_skips_links_and_copies_subfolders(tmp_path):
    source = tmp_path / "source"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "mod.py").write_text("X = 1\n")
    (source / "top.py").write_text("Y = 2\n")
    (source / "link.py").symlink_to(source / "top.py")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "top.pyc").write_bytes(b"\0")
    copy_submission(source, tmp_path / "copy", max_bytes=1 << 20)
    copied = sorted(str(p.relative_to(tmp_path / "copy")) for p in (tmp_path / "copy").rglob("*"))
    assert copied == ["pkg", "pkg/mod.py", "top.py"]


def test_helper_module_beside_the_submission_is_importable(sandbox):
    box = sandbox("from helpers import twice\n\ndef f(x):\n    return twice(x)\n", files={"helpers.py": "def twice(x):\n    return 2 * x\n"})
    assert box.call("f", 21) == 42


# -- what the student's process can see and leave behind ------------------------------------------


def test_environment_is_scrubbed(sandbox, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_TEST_SECRET", "s3cret")
    box = sandbox("import os\n\ndef env():\n    return dict(os.environ)\n")
    env = box.call("env")
    assert "AUTOGRADER_TEST_SECRET" not in env
    assert not any("PYTEST" in name for name in env)


@pytest.mark.skipif(os.geteuid() != 0, reason="a dedicated sandbox user needs root")
def test_student_code_runs_unprivileged_as_root(sandbox):
    box = sandbox("import os\n\ndef whoami():\n    return [os.getuid(), os.geteuid()]\n")
    uid, euid = box.call("whoami")
    assert not box.isolation.reduced
    assert uid == euid == box.isolation.uid != 0


@pytest.mark.parametrize("namespaces", ["auto", "always", "never"])
def test_close_ends_the_processes_the_student_started(tmp_path, namespaces):
    """A child that tries to leave the process group and outlive the worker is ended
    with it, with or without namespaces of its own. It names itself with a token, since
    its pid may be a namespace's own."""
    token = f"agtest{secrets.token_hex(4)}"
    source = f'''\
import ctypes, os, time


def spawn():
    if os.fork() == 0:
        try:
            os.setsid()
        except OSError:
            pass
        if os.fork() == 0:  # an orphan, adopted by the zygote
            ctypes.CDLL(None).prctl(15, b"{token}", 0, 0, 0)
            time.sleep(60)
        os._exit(0)
    time.sleep(0.2)
    return "spawned"
'''
    (tmp_path / "we_recur.py").write_text(source)
    box = Sandbox(tmp_path / "we_recur.py", folder=tmp_path, limits=FAST, namespaces=namespaces)
    assert box.call("spawn") == "spawned"
    assert _named(token)
    if namespaces == "always" and not box.confinement["namespaces"].startswith("pid"):
        box.close()
        pytest.skip(f"no namespaces here: {box.confinement['namespaces']}")
    box.close()
    deadline = time.monotonic() + 2
    while _named(token) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _named(token)
    assert box.survivors == 0


def _named(name):
    """Pids of the living processes called ``name``."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stream:
                    text = stream.read()
            except OSError:
                continue
            if text.split(b"(", 1)[1].rpartition(b")")[0] == name.encode() and text.rpartition(b")")[2].split()[0] not in (b"Z", b"X"):
                found.append(int(entry.name))
    return found


def test_files_over_the_size_cap_never_cost_the_module(tmp_path):
    """A large data file uploaded beside the code is left out; the graded module is not.
    (os.walk lists the top level before sub-folders, so here the data file always comes
    first.)"""
    upload = tmp_path / "upload"
    (upload / "hw7").mkdir(parents=True)
    (upload / "hw7" / "we_recur.py").write_text("def ok():\n    return 'ok'\n")
    (upload / "dataset.csv").write_bytes(b"0" * 5000)
    limits = Limits(call_timeout=1, import_timeout=10, total_timeout=30, max_submission_bytes=1000)
    with Sandbox(upload / "hw7" / "we_recur.py", folder=upload, limits=limits) as box:
        assert box.call("ok") == "ok"
