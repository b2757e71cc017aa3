"""Who the student's code runs as, what it may reach, and how all of it is ended.

As root (Gradescope's container, CI), student code runs as the dedicated unprivileged
user :data:`SANDBOX_USER`, which cannot read the grader's source tree nor write its
results, and every process of that user is killed when grading ends. Without root (a
TA's laptop, a student's self-check) it runs as the current user with resource limits
only; :attr:`Isolation.reduced` says so, and the report tells the reader.
"""

import ctypes
import dataclasses
import fcntl
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

SANDBOX_USER = "ag-student"
#: Grader processes that run at the same time (batch --jobs N, two TAs' terminals, CI
#: beside a developer) each hold a slot, and each slot has its own user, so that ending
#: one submission's processes never touches another's. A slot is held with an advisory
#: lock on a file for as long as the grader process lives; slot 0 is SANDBOX_USER.
_preferred_slot = 0
_claimed = None  # (pid, slot, lock descriptor) of this process's slot


def use_slot(index):
    """Prefer the slot ``index`` for this grader process (a busy slot is skipped)."""
    global _preferred_slot, _claimed
    _preferred_slot = int(index)
    if _claimed is not None and _claimed[0] == os.getpid():
        os.close(_claimed[2])
    _claimed = None


def _claim_slot():
    global _claimed
    if _claimed is not None and _claimed[0] == os.getpid():
        return _claimed[1]
    folder = "/run/lock" if os.path.isdir("/run/lock") else tempfile.gettempdir()
    for slot in range(_preferred_slot, _preferred_slot + 256):
        path = os.path.join(folder, f"autograder-sandbox-{slot}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _claimed = (os.getpid(), slot, fd)
        return slot
    raise RuntimeError("every sandbox slot is taken by another grader process")


def sandbox_user_name():
    """The user this grader process's student code runs as."""
    slot = _claim_slot()
    return SANDBOX_USER if slot == 0 else f"{SANDBOX_USER}-{slot}"


#: Set in the worker's environment: processes the student starts inherit it, which is
#: how reduced isolation finds them again to kill them.
MARKER_VARIABLE = "AUTOGRADER_SANDBOX"
_PR_SET_CHILD_SUBREAPER = 36


@dataclasses.dataclass(frozen=True)
class Isolation:
    """How workers are started: as ``uid``/``gid`` (None: as the grader's own user)."""

    uid: object = None
    gid: object = None

    @property
    def reduced(self):
        return self.uid is None

    def describe(self):
        if self.reduced:
            return (
                "Isolation is reduced: the grader is not running as root, so student code ran as the "
                "current user, in a separate process with resource limits, but could read your files."
            )
        name = pwd.getpwuid(self.uid).pw_name
        return f"Student code ran as the unprivileged user {name!r} with resource limits."


def current_isolation(*, create_user=True):
    """The strongest isolation this process can provide (creating the user if needed)."""
    if os.geteuid() != 0:
        return Isolation()
    account = ensure_sandbox_user() if create_user else _lookup(sandbox_user_name())
    if account is None:
        return Isolation()
    return Isolation(uid=account.pw_uid, gid=account.pw_gid)


def _lookup(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def ensure_sandbox_user():
    """The sandbox user's passwd entry, created (as a system user, no login) if missing."""
    name = sandbox_user_name()
    account = _lookup(name)
    if account is not None:
        return account
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    subprocess.run(
        [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
         "--user-group", name],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return _lookup(name)


def readable_by_others(path):
    """Whether a user other than the owner can reach and read ``path`` (mode bits only)."""
    path = Path(path).resolve()
    try:
        if not stat.S_IMODE(path.stat().st_mode) & 0o004:
            return False
        return all(stat.S_IMODE(parent.stat().st_mode) & 0o001 for parent in path.parents)
    except OSError:
        return False


def protect_tree(root, *, keep_reachable=("venv", ".venv")):
    """Make ``root``'s contents unreadable to other users (the sandbox user among them).

    ``root`` itself stays traversable (0o711) so that entries named in
    ``keep_reachable`` (an interpreter's virtual environment) remain usable; every
    other entry loses its group and other permissions. Only top-level entries change:
    a folder without them cannot be entered, so nothing below needs touching.
    """
    root = Path(root)
    os.chmod(root, 0o711)
    for entry in root.iterdir():
        if entry.name in keep_reachable or entry.is_symlink():
            continue
        mode = stat.S_IMODE(entry.stat().st_mode)
        os.chmod(entry, mode & 0o700)


def lock_down_gradescope(root, source):
    """As root on Gradescope: hide the grader from the sandbox user, keep results ours.

    The source tree becomes unreadable to other users, run_autograder and the
    submission's metadata (which holds earlier results) owner-only, and the results
    folder writable by root alone.
    """
    protect_tree(source)
    for path, mode in ((Path(root) / "run_autograder", 0o700), (Path(root) / "submission_metadata.json", 0o600)):
        if path.is_file() and not path.is_symlink():
            os.chmod(path, mode)
    results = Path(root) / "results"
    results.mkdir(parents=True, exist_ok=True)
    os.chown(results, 0, 0)
    os.chmod(results, 0o755)


def hand_over(folder, isolation):
    """Give the sandbox user ``folder`` (the scratch copy of the submission)."""
    if isolation.reduced:
        return
    for parent, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            os.lchown(os.path.join(parent, name), isolation.uid, isolation.gid)
    os.chown(folder, isolation.uid, isolation.gid)
    os.chmod(folder, 0o700)


def become_subreaper():
    """Adopt orphaned descendants (Linux), so that double-forked processes stay findable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _processes(uid):
    """Pids of the living processes owned by ``uid``; zombies are already dead."""
    if not os.path.isdir("/proc"):  # macOS (the student kit): the process group kill must do
        return
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/stat", "rb") as stream:
                state = stream.read().rpartition(b")")[2].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b"Z", b"X"):
            yield int(entry.name)


def _environ_has(pid, needles):
    try:
        with open(f"/proc/{pid}/environ", "rb") as stream:
            environ = stream.read(1 << 20)
    except OSError:
        return False
    return any(needle in environ for needle in needles)


def kill_everything(isolation, markers, *, spare=(), rounds=100):
    """Kill every process the student started; returns how many were still alive.

    With a sandbox user: every process of that user, including double-forked daemons,
    setsid'd children and processes that ignore SIGTERM (SIGKILL cannot be ignored).
    A helper process that becomes the user and calls ``kill(-1, SIGKILL)`` ends them
    all at once, so a process that forks as fast as it can cannot outrun a scan.
    With reduced isolation: every process that carries one of ``markers`` in its
    environment. Processes in ``spare`` (the zygote) are left alone.
    """
    spare = {os.getpid(), *spare}
    needles = [f"{MARKER_VARIABLE}={marker}".encode() for marker in markers]
    for _ in range(rounds):
        if isolation.reduced:
            alive = [pid for pid in _processes(os.getuid()) if pid not in spare and _environ_has(pid, needles)]
        else:
            alive = list(_processes(isolation.uid))
        if not alive:
            return 0
        if not isolation.reduced:
            _kill_all_as(isolation)
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _reap(alive)
        time.sleep(0.01)
    return len(alive)


#: Per (folder, sandbox uid): the ``(name, inode)`` of every entry the last sweep found
#: to belong to someone else. Only entries missing from it need a ``stat``, so a sweep
#: of a crowded /tmp costs a directory listing, not a system call per entry.
_OTHERS = {}


def remove_leftovers(isolation, places=("/tmp", "/var/tmp", "/dev/shm")):
    """Delete what the sandbox user left in the shared temporary folders.

    An entry listed before under the same name and inode belonged to another user
    then, and cannot have become the sandbox user's since: only root can give a file
    away, and in a sticky folder (as these are) the sandbox user cannot replace
    another's entry. A folder without the sticky bit is checked entry by entry.
    """
    if isolation.reduced:
        return
    for place in places:
        try:
            sticky = os.stat(place).st_mode & stat.S_ISVTX
            entries = list(os.scandir(place))
        except OSError:
            continue
        known = _OTHERS.get((place, isolation.uid), set()) if sticky else set()
        others = set()
        for entry in entries:
            key = (entry.name, entry.inode())
            if key in known:
                others.add(key)
                continue
            try:
                if entry.stat(follow_symlinks=False).st_uid != isolation.uid:
                    others.add(key)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass
        _OTHERS[place, isolation.uid] = others


def _kill_all_as(isolation):
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked helper
        try:
            os.setgroups([])
            os.setgid(isolation.gid)
            os.setuid(isolation.uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def _reap(pids):
    """Collect those of ``pids`` that are our children (adopted orphans included), so
    they do not linger as zombies; never touches the grader's other children."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except (ChildProcessError, OSError):
            pass
