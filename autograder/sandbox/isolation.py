"""Who the student's code runs as, what it may reach, and how all of it is ended.

As root (Gradescope's container, CI), student code runs as a dedicated unprivileged
user (:data:`SANDBOX_USER`, one per grader process running side by side), and every
process of that user is killed when grading ends. Without root (a TA's laptop, a
student's self-check) it runs as the current user, and everything it started is found
as a descendant of the zygote (the subreaper of all it forks): nothing the student
controls, such as an environment variable, decides what is killed.

Either way, the worker confines itself with Landlock, seccomp and namespaces where the
kernel offers them (``confine.py``), which is what keeps the grader's files, the
network and other processes out of reach whatever user it runs as and wherever the
grader's checkout lies. :attr:`Isolation.reduced` says that the user is not separate.
"""

import dataclasses
import functools
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

# Both are used only as root; the student kit also runs where they do not exist (Windows).
try:
    import fcntl
except ImportError:
    fcntl = None
try:
    import pwd
except ImportError:
    pwd = None

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


def _slots_folder():
    """Root's own folder for the slots' lock files: no other user can plant anything
    there (a folder planted at a lock file's path in the world-writable /run/lock once
    crashed every grader that reached that slot)."""
    base = "/run" if os.path.isdir("/run") else tempfile.gettempdir()
    folder = os.path.join(base, "autograder-slots")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o022:
        raise RuntimeError(f"{folder} is not a private folder of this user: it cannot hold the sandbox slots' locks")
    return folder


def _claim_slot():
    global _claimed
    if _claimed is not None and _claimed[0] == os.getpid():
        return _claimed[1]
    folder = _slots_folder()
    for slot in range(_preferred_slot, _preferred_slot + 256):
        path = os.path.join(folder, f"slot-{slot}.lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError:  # not a file we can lock
            continue
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


#: The comment every sandbox user is created with: a user without it is not ours, and
#: is never used (its processes would be killed with the student's).
SANDBOX_COMMENT = "autograder sandbox"


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
                "current user, in a separate process with resource limits and the confinement listed "
                "for course staff."
            )
        name = pwd.getpwuid(self.uid).pw_name
        return f"Student code ran as the unprivileged user {name!r} with resource limits."


def current_isolation(*, create_user=True):
    """The strongest isolation this process can provide (creating the user if needed).
    Once found, the sandbox user is remembered for this process (only root could change
    its account meanwhile): looking it up reads the whole user database."""
    if os.geteuid() != 0:
        return Isolation()
    name = sandbox_user_name()
    known = _FOUND.get(name)
    if known is not None:
        return known
    account = ensure_sandbox_user() if create_user else _lookup(name)
    if account is None or not is_ours(account):
        return Isolation()
    found = _FOUND[name] = Isolation(uid=account.pw_uid, gid=account.pw_gid)
    return found


#: Sandbox user name -> its Isolation, as :func:`current_isolation` found it.
_FOUND = {}


def _lookup(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def ensure_sandbox_user():
    """The sandbox user's passwd entry, created (as a system user, no login) if missing;
    None if the name belongs to an account that is not ours (see :func:`is_ours`)."""
    name = sandbox_user_name()
    account = _lookup(name)
    if account is None:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
             "--comment", SANDBOX_COMMENT, "--user-group", name],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        account = _lookup(name)
    return account if account is not None and is_ours(account) else None


def is_ours(account):
    """Whether ``account`` is a sandbox user this grader may kill every process of: a
    system account without a login or a home, that no other account shares a uid with,
    and not root."""
    if account.pw_uid == 0 or account.pw_dir != "/nonexistent" or not account.pw_shell.endswith("nologin"):
        return False
    if account.pw_gecos not in ("", SANDBOX_COMMENT):
        return False
    return sum(1 for other in pwd.getpwall() if other.pw_uid == account.pw_uid) == 1


@functools.lru_cache(maxsize=64)
def readable_by_others(path):
    """Whether a user other than the owner can reach and read ``path`` (mode bits only),
    as it was when first asked in this process."""
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


def _process_table(uid):
    """``{pid: parent pid}`` of every living (not zombie) process owned by ``uid``, from
    /proc. Owners are read from the directory entries first: only those that match cost
    a read of their ``stat``."""
    table = {}
    try:
        entries = list(os.scandir("/proc"))
    except OSError:  # macOS (the student kit): the process group kill must do
        return table
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/stat", "rb") as stream:
                fields = stream.read().rpartition(b")")[2].split()
        except (OSError, IndexError):
            continue
        if fields and fields[0] not in (b"Z", b"X"):
            table[int(entry.name)] = int(fields[1])
    return table


def descendants(roots, table):
    """Every process of ``table`` (pid: parent) below one of ``roots`` (themselves excluded)."""
    children = {}
    for pid, parent in table.items():
        children.setdefault(parent, []).append(pid)
    found, pending = [], list(roots)
    while pending:
        for child in children.get(pending.pop(), ()):
            found.append(child)
            pending.append(child)
    return found


def kill_everything(isolation, zygote=None, worker=None, *, rounds=100):
    """Kill every process the student started; returns how many were still alive.

    With a sandbox user: every process of that user, including double-forked daemons,
    setsid'd children and processes that ignore SIGTERM (SIGKILL cannot be ignored).
    A helper process that becomes the user and calls ``kill(-1, SIGKILL)`` ends them
    all at once, so a process that forks as fast as it can cannot outrun a scan.
    Without one (reduced isolation): every descendant of the ``worker`` pid, and every
    orphan the ``zygote`` adopted as their subreaper that is not one of its other
    workers (all of them the grader's own user: no new privileges are allowed in the
    sandbox). Nothing the student controls (an environment, a process name) matters.
    """
    for _ in range(rounds):
        if isolation.reduced:
            if zygote is None:
                return 0
            table = _process_table(os.getuid())
            roots = [] if worker is None else [worker]
            roots += [pid for pid, parent in table.items() if parent == zygote.process.pid and pid not in zygote.workers]
            alive = [pid for pid in (*roots, *descendants(roots, table)) if pid in table]
        else:
            alive = list(_process_table(isolation.uid))
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
#: Every place a user may write without owning it: what the sandbox user left there
#: would meet the next submission graded as the same user.
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue", "/var/lock")


def remove_leftovers(isolation, places=WORLD_WRITABLE, *, confinement=None):
    """Delete what the sandbox user left in the shared, world-writable folders and in
    SysV IPC. (With Landlock and seccomp in force it can reach none of them; this is
    the layer under those.) SysV objects and keys are looked for only where the
    worker's ``confinement`` (what it reported before any student code ran) lacked
    the seccomp filter that refuses creating them.

    An entry listed before under the same name and inode belonged to another user
    then, and cannot have become the sandbox user's since: only root can give a file
    away, and in a sticky folder (as these are) the sandbox user cannot replace
    another's entry. A folder without the sticky bit is checked entry by entry.
    """
    if isolation.reduced:
        return
    for place in places:
        try:
            sticky = os.lstat(place).st_mode & stat.S_ISVTX
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
                    remove_tree(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass
        _OTHERS[place, isolation.uid] = others
    if not str((confinement or {}).get("seccomp", "")).startswith("filter applied"):
        remove_sysv_objects(isolation.uid)
        remove_keys(isolation)


#: /proc/sysvipc file -> the call that removes such an object, and the columns of its
#: id and of its owner's uid (see proc(5)).
_SYSV = {"shm": ("shmctl", 1, 7), "msg": ("msgctl", 1, 7), "sem": ("semctl", 1, 4)}
_IPC_RMID = 0


def remove_sysv_objects(uid):
    """Remove the SysV shared memory, message queues and semaphore sets owned by ``uid``."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for kind, (remove, id_column, uid_column) in _SYSV.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as listing:
                rows = [line.split() for line in listing.read().splitlines()[1:]]
        except OSError:
            continue
        for fields in rows:
            try:
                ident, owner = int(fields[id_column]), int(fields[uid_column])
            except (IndexError, ValueError):
                continue
            if owner != uid:
                continue
            if kind == "sem":
                libc.semctl(ident, 0, _IPC_RMID)
            else:
                getattr(libc, remove)(ident, _IPC_RMID, None)


#: keyctl(2) by architecture (the C library has no wrapper), and its constants.
_SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}
_KEYCTL_CLEAR = 7
_KEY_SPEC_USER_KEYRING = -4
_KEY_SPEC_USER_SESSION_KEYRING = -5


def remove_keys(isolation):
    """Empty the sandbox user's keyrings, which outlive its processes. Only when
    /proc/key-users says the user holds keys: a helper process must become the user
    to reach them."""
    try:
        with open("/proc/key-users") as listing:
            holders = {line.split(":", 1)[0].strip() for line in listing}
    except OSError:
        return
    number = _SYS_KEYCTL.get(os.uname().machine)
    if str(isolation.uid) not in holders or number is None:
        return
    import ctypes

    def clear():
        libc = ctypes.CDLL(None, use_errno=True)
        for keyring in (_KEY_SPEC_USER_KEYRING, _KEY_SPEC_USER_SESSION_KEYRING):
            libc.syscall(number, _KEYCTL_CLEAR, keyring)

    _as_sandbox_user(isolation, clear)


#: Whether folders can be walked by descriptor, without following links (not on Windows).
_WALKS_BY_DESCRIPTOR = hasattr(os, "O_DIRECTORY") and os.scandir in os.supports_fd


def remove_tree(path):
    """Delete the folder ``path`` and everything in it, without recursion (a tree may
    be deeper than Python's recursion limit or PATH_MAX) and without following links.
    Errors are skipped: what cannot be removed stays."""
    if not _WALKS_BY_DESCRIPTOR:  # Windows (the student kit, as the student's own user): no links to fear
        shutil.rmtree(path, ignore_errors=True)
        return
    names = []  # the folders between ``path`` and where we are
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        while True:
            descended = False
            try:
                entries = list(os.scandir(fd))
            except OSError:
                entries = []
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        child = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                        os.close(fd)
                        fd, descended = child, True
                        names.append(entry.name)
                        break
                    os.unlink(entry.name, dir_fd=fd)
                except OSError:
                    continue
            if descended:
                continue
            if not names:
                break
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = parent
            try:
                os.rmdir(names.pop(), dir_fd=fd)
            except OSError:
                # Not empty (an entry we could not remove): leave this branch.
                names.clear()
                break
    finally:
        os.close(fd)
    try:
        os.rmdir(path)
    except OSError:
        pass


def _kill_all_as(isolation):
    _as_sandbox_user(isolation, lambda: os.kill(-1, signal.SIGKILL))


def _as_sandbox_user(isolation, action):
    """Run ``action()`` in a forked helper that has become the sandbox user."""
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked helper
        try:
            os.setgroups([])
            os.setgid(isolation.gid)
            os.setuid(isolation.uid)
            action()
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def _reap(pids):
    """Collect those of ``pids`` that are our children, so they do not linger as
    zombies; never touches the grader's other children."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except (ChildProcessError, OSError):
            pass


def private_paths():
    """What no Landlock rule of the worker may reach, wherever it lies: the grader's
    source tree (its questions included), the home folders of the grader's user and of root, Gradescope's folder, and what the grader names in ``AUTOGRADER_PRIVATE`` (a batch's export
    and ``--out``, a question kept outside the source tree; separated by ``os.pathsep``)."""
    return _private_paths(*(os.environ.get(name) for name in ("HOME", "AUTOGRADER_ROOT", "AUTOGRADER_PRIVATE")))


@functools.lru_cache(maxsize=16)
def _private_paths(*environment):  # what the environment says, computed once per value
    here = Path(__file__).resolve()
    paths = {str(here.parents[2]), str(here.parents[1])}
    for home in (os.path.expanduser("~"), "/root", os.environ.get("HOME")):
        if home and home != "/":
            paths.add(home)
    paths.add(os.environ.get("AUTOGRADER_ROOT") or "/autograder")
    paths.update(p for p in os.environ.get("AUTOGRADER_PRIVATE", "").split(os.pathsep) if p)
    return tuple(sorted(p for p in paths if p != "/"))
