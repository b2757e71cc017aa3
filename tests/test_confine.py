"""autograder.sandbox.confine and the cleanup of autograder.sandbox.isolation: the
border a worker puts around student code, tried from inside a real sandbox.

Each layer is tested where this machine offers it (Landlock, seccomp, namespaces) and
skipped, saying why, where it does not; tests/test_adversarial.py runs the hostile
corpus against all of them together in the four modes the grader runs in.
"""

import ctypes
import errno
import json
import os
import pwd
import subprocess
import textwrap
from pathlib import Path

import pytest

from autograder.outcomes import failure_results
from autograder.results import RESERVED_BYTES, ReservedResults
from autograder.sandbox import confine, isolation
from autograder.sandbox.session import Limits, Sandbox

REPO = Path(__file__).resolve().parent.parent
FAST = Limits(call_timeout=5, import_timeout=10, total_timeout=30)
LANDLOCK = confine.landlock_abi()
needs_landlock = pytest.mark.skipif(LANDLOCK < 1, reason="this kernel has no Landlock")
needs_seccomp = pytest.mark.skipif(isinstance(confine.build_filter(), str), reason="libseccomp is not installed")


@pytest.fixture
def run_in_sandbox(tmp_path):
    """``run_in_sandbox(source) -> (sandbox, value of probe())``: ``source`` defines
    ``probe()``, called once in a fresh sandbox."""
    opened = []

    def run(source):
        folder = tmp_path / f"upload{len(opened)}"
        folder.mkdir()
        (folder / "we_recur.py").write_text(textwrap.dedent(source), encoding="utf-8")
        box = Sandbox(folder / "we_recur.py", folder=folder, limits=FAST)
        opened.append(box)
        return box, box.call("probe")

    yield run
    for box in opened:
        box.close()


# -- planning the read rules --------------------------------------------------------------------


def test_a_granted_folder_holding_a_private_path_is_granted_around_it(tmp_path):
    (tmp_path / "lib" / "numpy").mkdir(parents=True)
    (tmp_path / "lib" / "grader" / "reference").mkdir(parents=True)
    (tmp_path / "lib" / "grader" / "venv").mkdir()
    (tmp_path / "lib" / "six.py").write_text("")
    plan = confine.plan_reads([tmp_path / "lib"], [tmp_path / "lib" / "grader" / "reference"])
    assert plan == sorted(str(tmp_path / "lib" / p) for p in ("numpy", "six.py", "grader/venv"))


def test_a_path_inside_a_private_folder_is_granted_and_a_private_path_never(tmp_path):
    """./dev's .venv lies inside the checkout, a pyenv interpreter inside a home folder."""
    (tmp_path / "checkout" / ".venv" / "lib").mkdir(parents=True)
    plan = confine.plan_reads(
        [tmp_path / "checkout" / ".venv" / "lib", tmp_path / "checkout", tmp_path / "missing"], [tmp_path / "checkout"]
    )
    assert plan == [str(tmp_path / "checkout" / ".venv" / "lib")]


def test_private_paths_name_the_grader_its_homes_and_what_a_batch_adds(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRADER_PRIVATE", os.pathsep.join([str(tmp_path / "export"), str(tmp_path / "out")]))
    private = isolation.private_paths()
    for path in (str(REPO), str(REPO / "autograder"), os.path.expanduser("~"),
                 str(tmp_path / "export"), str(tmp_path / "out")):
        assert path in private


# -- the layers, from inside a sandbox ------------------------------------------------------------


@needs_landlock
def test_student_code_reads_only_what_the_interpreter_needs_and_writes_only_its_copy(run_in_sandbox, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the answer")
    secret.chmod(0o644)
    box, seen = run_in_sandbox(f'''
        import os

        def attempt(action):
            try:
                action()
                return "allowed"
            except OSError as error:
                return error.errno

        def probe():
            return {{
                "grader": attempt(lambda: open({str(REPO / "questions" / "we_recur" / "reference" / "answer_key.py")!r}).read()),
                "secret": attempt(lambda: open({str(secret)!r}).read()),
                "home": attempt(lambda: os.listdir({os.path.expanduser("~")!r})),
                "proc": attempt(lambda: open("/proc/1/cmdline").read()),
                "tmp": attempt(lambda: open("/tmp/ag-confine-test", "w").write("x")),
                "site-packages": attempt(lambda: open(__import__("numpy").__file__).read(10)),
                "own copy": attempt(lambda: open("notes.txt", "w").write("x")),
                "numpy": attempt(lambda: __import__("numpy").linalg.inv([[2.0]])),
            }}
        ''')
    assert box.confinement["file system"].startswith("landlock")
    denied = errno.EACCES
    assert seen == {"grader": denied, "secret": denied, "home": denied, "proc": denied, "tmp": denied,
                    "site-packages": "allowed", "own copy": "allowed", "numpy": "allowed"}


@needs_seccomp
def test_system_calls_that_leave_the_sandbox_fail(run_in_sandbox):
    box, seen = run_in_sandbox('''
        import ctypes, os, socket

        libc = ctypes.CDLL(None, use_errno=True)

        def errno_of(call):
            try:
                result = call()
            except OSError as error:
                return error.errno
            return ctypes.get_errno() if result == -1 else "allowed"

        def probe():
            return {
                "socket": errno_of(lambda: socket.socket(socket.AF_UNIX)),
                "socketpair": errno_of(lambda: socket.socketpair() and 0),
                "setsid": errno_of(os.setsid),
                "shmget": errno_of(lambda: libc.shmget(0x4147, 4096, 0o1666)),
                "unshare": errno_of(lambda: libc.unshare(0x10000000)),
                "ptrace": errno_of(lambda: libc.ptrace(16, os.getppid(), None, None)),
                "fork": errno_of(lambda: os.waitpid(os.fork() or 0, 0) if True else 0),
            }
        ''')
    assert box.confinement["seccomp"] == "filter applied (libseccomp)"
    assert seen["socket"] == seen["setsid"] == seen["shmget"] == seen["unshare"] == seen["ptrace"] == errno.EPERM
    assert seen["socketpair"] == "allowed"


def test_the_border_is_stated_before_student_code_runs(run_in_sandbox):
    """The import cannot forge what the log says: the worker was asked first."""
    box, _ = run_in_sandbox('''
        def probe():
            return 1
        ''')
    line = box.border()
    assert line.startswith("border: kernel ")
    for layer in ("file system", "seccomp", "namespaces", "network", "signals"):
        assert layer in line


# -- cleanup ----------------------------------------------------------------------------------


def test_a_tree_deeper_than_the_recursion_limit_is_removed(tmp_path):
    top = tmp_path / "deep"
    fd = os.open(tmp_path, os.O_RDONLY)
    os.mkdir("deep", dir_fd=fd)
    current = os.open("deep", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    for _ in range(3000):  # deeper than PATH_MAX allows as one path
        os.mkdir("d", dir_fd=current)
        with open(os.open("f", os.O_WRONLY | os.O_CREAT, dir_fd=current), "w") as stream:
            stream.write("x")
        child = os.open("d", os.O_RDONLY, dir_fd=current)
        os.close(current)
        current = child
    os.close(current)
    isolation.remove_tree(top)
    assert not top.exists()


def test_remove_tree_follows_no_link(tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "file").write_text("stays")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link").symlink_to(kept)
    isolation.remove_tree(tree)
    assert not tree.exists() and (kept / "file").read_text() == "stays"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to create a sandbox user")
def test_sysv_objects_of_the_sandbox_user_are_removed():
    isolation.use_slot(7)  # a sandbox user of this process's own (see tests/test_batch.py)
    try:
        account = isolation.ensure_sandbox_user()
        child = os.fork()
        if child == 0:  # pragma: no cover - the sandbox user, in a fork
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            libc = ctypes.CDLL(None, use_errno=True)
            os._exit(0 if libc.shmget(0, 4096, 0o1600) >= 0 and libc.msgget(0, 0o1600) >= 0 else 1)
        _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            pytest.skip("SysV IPC is not available here")
        assert _sysv_owned_by(account.pw_uid)
        isolation.remove_sysv_objects(account.pw_uid)
        assert not _sysv_owned_by(account.pw_uid)
    finally:
        isolation.use_slot(0)


def _sysv_owned_by(uid):
    found = []
    for kind, column in (("shm", 7), ("msg", 7), ("sem", 4)):
        for line in Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[column]) == uid:
                found.append((kind, fields[1]))
    return found


def test_a_sandbox_user_that_is_not_ours_is_never_used():
    def entry(**changes):
        fields = {"pw_name": "ag-student", "pw_passwd": "x", "pw_uid": 990, "pw_gid": 990,
                  "pw_gecos": isolation.SANDBOX_COMMENT, "pw_dir": "/nonexistent", "pw_shell": "/usr/sbin/nologin"}
        fields.update(changes)
        return pwd.struct_passwd(tuple(fields[k] for k in ("pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_gecos",
                                                            "pw_dir", "pw_shell")))

    assert not isolation.is_ours(entry(pw_uid=0))
    assert not isolation.is_ours(entry(pw_dir="/home/ana"))
    assert not isolation.is_ours(entry(pw_shell="/bin/bash"))
    assert not isolation.is_ours(entry(pw_gecos="Ana Pérez"))
    root_uid = entry(pw_uid=pwd.getpwnam("root").pw_uid)
    assert not isolation.is_ours(root_uid)


# -- results.json with the disk full ------------------------------------------------------------


def test_the_placeholder_exists_at_once_and_the_final_write_replaces_it(tmp_path):
    destination = tmp_path / "results" / "results.json"
    reserved = ReservedResults(destination, failure_results("Grading did not finish."))
    assert "did not finish" in json.loads(destination.read_text())["output"]
    final = failure_results("final")
    reserved.write(final)
    assert json.loads(destination.read_text()) == json.loads(final.dumps())
    assert sorted(p.name for p in destination.parent.iterdir()) == ["results.json"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to mount a small file system")
def test_the_final_write_succeeds_on_a_full_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    size = RESERVED_BYTES + 2 * 1024 * 1024
    options = f"size={size},nr_inodes=64"
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        destination = disk / "results" / "results.json"
        reserved = ReservedResults(destination, failure_results("Grading did not finish."))
        with open(disk / "filler", "wb", buffering=0) as filler:  # what a student's code would do
            with pytest.raises(OSError) as full:
                while True:
                    filler.write(b"\0" * 65536)
        assert full.value.errno == errno.ENOSPC
        final = failure_results("final " + "x" * 50_000)
        reserved.write(final)
        assert json.loads(destination.read_text()) == json.loads(final.dumps())
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.skipif(os.geteuid() != 0 or os.uname().machine not in ("x86_64", "aarch64"), reason="needs root on x86_64/aarch64")
def test_keys_the_sandbox_user_left_in_its_keyrings_are_removed():
    add_key = {"x86_64": 248, "aarch64": 217}[os.uname().machine]
    keyctl = {"x86_64": 250, "aarch64": 219}[os.uname().machine]
    isolation.use_slot(7)
    try:
        account = isolation.ensure_sandbox_user()
        sandbox = isolation.Isolation(uid=account.pw_uid, gid=account.pw_gid)

        def keys_held():
            read, write = os.pipe()
            child = os.fork()
            if child == 0:  # pragma: no cover - the sandbox user, in a fork
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                size = libc.syscall(keyctl, 11, -4, None, 0)  # KEYCTL_READ of the user keyring
                os.write(write, str(size).encode())
                os._exit(0)
            os.close(write)
            os.waitpid(child, 0)
            with os.fdopen(read) as stream:
                return int(stream.read()) // 4

        child = os.fork()
        if child == 0:  # pragma: no cover - the sandbox user plants a key
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            os._exit(0 if libc.syscall(add_key, b"user", b"agmark", b"persisted", 9, -4) > 0 else 1)
        _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            pytest.skip("keyrings are not available here")
        assert keys_held() >= 1
        isolation.remove_keys(sandbox)
        assert keys_held() == 0
    finally:
        isolation.use_slot(0)
