"""Attack: fill the disk the grader writes its results to (within a fixed budget).

At import it writes 16 MiB files, each only if it does not exist yet (so a re-import
writes nothing more): two in its working folder, one in /tmp and one in /dev/shm, 64 MiB
in all and never more. SIGXFSZ is ignored while writing, so a file-size limit ends a
write with EFBIG instead of killing the process. Every answer is correct: the grader
must still grade it (12 points), write its results, and clean up after it.
"""

import os
import signal

import numpy as np

CHUNK = (b"AGMARK-disk_fill " * 65536)[: 1 << 20]  # 1 MiB
FILES = [os.path.join(os.getcwd(), "agmark-fill-0"), os.path.join(os.getcwd(), "agmark-fill-1"),
         "/tmp/agmark-fill", "/dev/shm/agmark-fill"]
WRITTEN = {}


def fill(path, mebibytes=16):
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        return f"{error.strerror}"
    written = 0
    try:
        for _ in range(mebibytes):
            written += os.write(fd, CHUNK)
    except OSError as error:
        return f"{written >> 20} MiB, then {error.strerror}"
    finally:
        os.close(fd)
    return f"{written >> 20} MiB"


try:
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    for _path in FILES:
        WRITTEN[_path] = fill(_path)
    signal.signal(signal.SIGXFSZ, previous)
except Exception as _error:  # noqa: BLE001
    WRITTEN["error"] = repr(_error)
print("disk_fill:", WRITTEN)


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
