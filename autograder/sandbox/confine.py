"""The border around student code: Landlock, seccomp and namespaces, as the worker
applies them to itself before the student's module is imported.

Self-contained (the standard library, and the ``pyseccomp`` binding of libseccomp when
it is installed), because it runs from the zygote's copy beside ``worker.py``. Each
layer is independent of the others and degrades on its own, saying so:

file system (Landlock, Linux 5.13+, no privilege needed)
    the worker may read what importing numpy and the student's module needs (the
    interpreter, its standard library, the site-packages in use, shared libraries) and
    its scratch copy, and write only the scratch copy. A granted folder that holds one
    of the grader's private paths (its source tree, the export, ``--out``, a home
    folder) is granted child by child around it. From ABI 4 on, TCP bind and connect
    are denied; from ABI 6 on, signals and abstract unix sockets cannot leave the
    sandbox.
system calls (seccomp, through libseccomp)
    no sockets (the worker talks to the grader through pipes it inherited), no
    ptrace or reading another process's memory, no keyrings, no SysV or POSIX message
    IPC, no io_uring, bpf or perf, no new namespaces or mounts, no new session or
    process group (so a process group kill ends everything the student started),
    no typing into a terminal (TIOCSTI).
namespaces (where the platform allows them)
    a private PID and IPC namespace per worker: when the worker ends, the kernel ends
    everything the student started, and SysV objects vanish with it. They stand in for
    seccomp where it is missing (with it, a batch would pay about 8 ms a submission
    for what seccomp already refuses); the zygote's empty network namespace is
    always tried.

:func:`describe` reports what the kernel offers; the worker's ``confine`` applies the
layers and reports what it achieved.
"""

import ctypes
import errno
import os
import platform
import sys

# -- Landlock (include/uapi/linux/landlock.h) -------------------------------------------

_SYS_LANDLOCK_CREATE_RULESET = 444  # the same number on every architecture
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

#: Rights the kernel knows, by ABI: asking for an unknown one is an error.
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
#: In the scratch copy: everything but device nodes and sockets bound to a path.
_WRITE = (
    _READ | FS_WRITE_FILE | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_FIFO
    | FS_MAKE_SYM | FS_REFER | FS_TRUNCATE
)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
if _libc is not None:
    _libc.syscall.restype = ctypes.c_long


def landlock_abi():
    """The Landlock ABI version the kernel offers (0: none, or not Linux)."""
    if _libc is None:
        return 0
    version = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(int(version), 0)


#: Read-only places every interpreter needs beyond its own folders: the dynamic
#: loader's cache and shared libraries (numpy's, ctypes', ssl's), time zones, locales.
SYSTEM_READ = (
    "/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/local/lib", "/etc/ld.so.cache",
    "/etc/localtime", "/usr/share/zoneinfo", "/etc/os-release",
)
#: Devices student code may reasonably open.
DEVICES = (("/dev/null", FS_READ_FILE | FS_WRITE_FILE), ("/dev/zero", FS_READ_FILE), ("/dev/urandom", FS_READ_FILE),
           ("/dev/random", FS_READ_FILE))


def interpreter_paths():
    """What importing numpy and the standard library needs: ``sys.path`` (the zygote
    runs with ``-I``, so it holds only the standard library and site-packages), the
    interpreter itself, and the folders of already-loaded extension modules."""
    paths = [p for p in sys.path if p and os.path.isabs(p)]
    paths.append(os.path.realpath(sys.executable))
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        paths.append(os.path.join(prefix, "lib"))  # libpython, a venv's pyvenv layout
    return paths


def _within(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def plan_reads(paths, private):
    """The read rules: each existing path of ``paths``, except that a folder holding one
    of the ``private`` paths is replaced by its other children (recursively), so that
    no rule reaches a private path wherever it lies, and a private path itself is left
    out. A path inside a private folder stays (``./dev``'s ``.venv`` lies in the
    checkout, a pyenv interpreter in a home folder). Returns real paths, sorted."""
    private = sorted({os.path.realpath(p) for p in private if p})
    planned, pending, seen = [], [os.path.realpath(p) for p in paths], set()
    while pending:
        path = pending.pop()
        if path in seen or not os.path.exists(path):
            continue
        seen.add(path)
        if path in private:
            continue
        if any(_within(secret, path) for secret in private) and os.path.isdir(path):
            try:
                children = os.listdir(path)
            except OSError:
                continue
            pending.extend(os.path.join(path, child) for child in children)
            continue
        planned.append(path)
    # A path inside another planned folder needs no rule of its own.
    kept = sorted(set(planned))
    return [path for path in kept if not any(other != path and _within(path, other) for other in kept)]


def _open_rule(path, rights):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return None
    if not os.path.isdir(path):
        rights &= _FILE_RIGHTS
    return fd, rights


def open_rules(reads, writes):
    """Open every rule's path (``O_PATH``) while the worker can still reach it: as root,
    before it becomes the sandbox user. Returns ``[(fd, rights)]``."""
    rules = [_open_rule(path, _READ) for path in reads]
    rules += [_open_rule(path, rights) for path, rights in DEVICES]
    rules += [_open_rule(path, _WRITE) for path in writes]
    return [rule for rule in rules if rule is not None]


def restrict_landlock(abi, rules):
    """Restrict this process (and all it starts) to ``rules``; closes their descriptors.
    Returns what is now enforced, e.g. ``{"file system": "landlock ABI 6", ...}``."""
    try:
        if abi < 1:
            return {"file system": "unconfined (the kernel has no Landlock)"}
        fs_rights = _FS_BY_ABI.get(abi, (1 << 16) - 1)
        attr = _RulesetAttr(fs_rights, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                            SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
        size = 8 if abi < 4 else (16 if abi < 6 else 24)
        ruleset = _libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
        if ruleset < 0:
            return {"file system": f"unconfined (landlock_create_ruleset: {os.strerror(ctypes.get_errno())})"}
        try:
            for fd, rights in rules:
                rule = _PathBeneathAttr(rights & fs_rights, fd)
                if _libc.syscall(_SYS_LANDLOCK_ADD_RULE, int(ruleset), _RULE_PATH_BENEATH, ctypes.byref(rule), 0):
                    raise OSError(ctypes.get_errno(), "landlock_add_rule")
            if _libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, int(ruleset), 0):
                raise OSError(ctypes.get_errno(), "landlock_restrict_self")
        finally:
            os.close(ruleset)
        return {
            "file system": f"landlock ABI {abi}",
            "tcp": "denied (landlock)" if abi >= 4 else "",
            "signals": "scoped (landlock)" if abi >= 6 else "",
            "abstract unix sockets": "scoped (landlock)" if abi >= 6 else "",
        }
    except OSError as error:
        return {"file system": f"unconfined ({error.strerror or error})"}
    finally:
        for fd, _ in rules:
            os.close(fd)


# -- seccomp ----------------------------------------------------------------------------

#: System calls that fail with EPERM in the worker. None of them is needed to import
#: numpy or to compute an answer; each is a way out of the sandbox or a way to leave
#: something behind for the next submission.
DENIED_SYSCALLS = (
    # the network, and unix sockets bound to a path (socketpair stays allowed)
    "socket", "socketcall",
    # other processes' memory, and descriptors taken from them
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    # keyrings outlive the process; SysV and POSIX queues outlive it too
    "add_key", "request_key", "keyctl",
    "shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # ways around a filter, or into the kernel
    "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open", "userfaultfd",
    "fanotify_init", "inotify_init", "inotify_init1", "name_to_handle_at", "open_by_handle_at",
    # new namespaces, mounts and roots
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsmount", "fspick", "mount_setattr",
    # leaving the process group that is killed at the end
    "setsid", "setpgid",
    # the kernel's own machinery
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
    "swapoff", "acct", "quotactl", "syslog", "vhangup",
)
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (NEWTIME is unshare's alone)
_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C

def _libseccomp():
    """The binding, or None. Imported only where a filter is built (the zygote): the
    import runs ``ldconfig -p`` to find the library, which the grader's start need not
    wait for."""
    import ctypes.util

    # pyseccomp asks ctypes.util.find_library for libc and libseccomp, which runs
    # ``ldconfig -p`` (20 ms of the zygote's start); the usual sonames load directly.
    find_library = ctypes.util.find_library
    sonames = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}

    def known_first(name):
        try:
            ctypes.CDLL(sonames[name])
            return sonames[name]
        except (KeyError, OSError):
            return find_library(name)

    ctypes.util.find_library = known_first
    try:
        import pyseccomp
    except (ImportError, OSError, AttributeError):  # not installed, or libseccomp.so.2 missing
        return None
    finally:
        ctypes.util.find_library = find_library
    return pyseccomp


def build_filter():
    """The seccomp filter as a compiled BPF program (bytes), or a string saying why there
    is none. libseccomp builds and compiles it once, in the zygote; each worker only
    loads the program (:func:`load_filter`), which costs microseconds instead of the
    compilation's most of a millisecond."""
    _seccomp = _libseccomp()
    if _seccomp is None:
        return "unavailable (pyseccomp or libseccomp is not installed)"
    try:
        denied = _seccomp.ERRNO(errno.EPERM)
        syscall_filter = _seccomp.SyscallFilter(defaction=_seccomp.ALLOW)
        for name in DENIED_SYSCALLS:
            try:
                syscall_filter.add_rule(denied, name)
            except (OSError, RuntimeError, ValueError):  # a system call this architecture lacks
                pass
        for flag in _NAMESPACE_FLAGS:  # clone() into a new namespace
            syscall_filter.add_rule(denied, "clone", _seccomp.Arg(0, _seccomp.MASKED_EQ, flag, flag))
        # clone3's flags are behind a pointer: make it unknown, and the C library falls back to clone
        syscall_filter.add_rule(_seccomp.ERRNO(errno.ENOSYS), "clone3")
        for request in (_TIOCSTI, _TIOCLINUX):
            syscall_filter.add_rule(denied, "ioctl", _seccomp.Arg(1, _seccomp.MASKED_EQ, 0xFFFFFFFF, request))
        import tempfile

        with tempfile.TemporaryFile() as compiled:
            syscall_filter.export_bpf(compiled)
            compiled.seek(0)
            program = compiled.read()
        if not program or len(program) % 8:
            return "unavailable (libseccomp exported no program)"
        return program
    except Exception as error:  # noqa: BLE001  an old libseccomp: report, never crash the zygote
        return f"unavailable ({type(error).__name__}: {error})"


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def load_filter(program):
    """Load the compiled ``program`` (from :func:`build_filter`) into this process and
    all it starts; returns what was achieved. Needs ``no_new_privileges()`` first."""
    if isinstance(program, str):
        return program
    instructions = (_SockFilter * (len(program) // 8)).from_buffer_copy(program)
    fprog = _SockFprog(len(instructions), ctypes.addressof(instructions))
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return f"not applied ({os.strerror(ctypes.get_errno())})"
    return "filter applied (libseccomp)"


# -- namespaces and capabilities ---------------------------------------------------------

CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_PDEATHSIG = 1
_PR_CAPBSET_DROP = 24
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}


def unshare(flags):
    """``unshare(2)``; returns 0, or the errno."""
    if _libc is None:
        return errno.ENOSYS
    return 0 if _libc.unshare(flags) == 0 else ctypes.get_errno()


def no_new_privileges():
    if _libc is not None:
        _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def die_with_parent(signal_number):
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal_number, 0, 0, 0)


def drop_capabilities():
    """Drop every capability this process holds: as root it is about to become the
    sandbox user (which drops them anyway); in a user namespace of its own, the worker
    holds all of that namespace's capabilities, which the student's code must not."""
    number = _SYS_CAPSET.get(platform.machine())
    if _libc is None or number is None:
        return
    for capability in range(64):
        if _libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break  # past the last capability, or not ours to drop (then none are held)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    _libc.syscall(number, header, data)


def capabilities():
    """This process's effective capabilities, as the hex mask /proc shows."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return line.split()[1]
    except OSError:
        pass
    return "unknown"


def describe():
    """What the kernel offers, for the instructor's log (the zygote adds the network and
    the seccomp filter it built)."""
    return {"kernel": f"{platform.system()} {platform.release()}", "landlock": landlock_abi(),
            "capabilities": capabilities()}


_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Adopt orphaned descendants (Linux), so that double-forked processes stay findable."""
    if _libc is not None:
        _libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
