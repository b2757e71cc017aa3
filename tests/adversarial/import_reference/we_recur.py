"""Attack: import the grader's own answer key and answer with it.

If the student's code can read the grader's source tree, it need not print secrets:
it can import ``reference.answer_key`` and return exactly what the grader expects,
earning full marks. This module searches every place the tree might be (found from the
grader's command line, the working directories of other processes, the usual Gradescope
paths) and answers with the answer key when it can import it; otherwise it answers
wrongly. Honest score: 0.
"""

import glob
import importlib
import os
import sys

import numpy as np


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


def candidate_sources():
    places = [os.environ.get("AUTOGRADER_ROOT", ""), "/autograder", "/autograder/source"]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        places += [f"/proc/{entry}/cwd", f"/proc/{entry}/root/autograder/source"]
        args = _cmdline(int(entry))
        for index, arg in enumerate(args):
            if arg == "--root" and index + 1 < len(args):
                places += [args[index + 1], os.path.join(args[index + 1], "source")]
            if arg.endswith("run_autograder"):
                places.append(os.path.dirname(arg))
    places += glob.glob("/tmp/*/source") + glob.glob("/tmp/*/*/source") + glob.glob("/work/*") + list(sys.path)
    return [place for place in dict.fromkeys(places) if place]


def find_key():
    tried = []
    for place in candidate_sources():
        try:
            if not os.path.isfile(os.path.join(place, "questions", "we_recur", "reference", "answer_key.py")):
                continue
        except OSError:
            continue
        tried.append(place)
        sys.path.insert(0, place)
        try:
            for name in [m for m in sys.modules if m == "questions" or m.startswith("questions.")]:
                del sys.modules[name]
            return importlib.import_module("questions.we_recur.reference.answer_key"), place
        except Exception:  # noqa: BLE001  unreadable, or an import error inside
            continue
        finally:
            sys.path.remove(place)
    return None, tried


KEY, WHERE = find_key()
print("import_reference:", f"imported the answer key from {WHERE}" if KEY else f"no answer key (tried {WHERE[:5]})")


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    if KEY is not None:
        return KEY.rnn_a_shapes(s_dim, x_dim, p_dim)
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    if KEY is not None:
        return KEY.rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2)
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    if KEY is not None:
        return KEY.rnn_b_shapes(s_dim, x_dim, p_dim)
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    if KEY is not None:
        return KEY.rnn_b_f2(z)
    return z


def rnn_b_next_input(p_t):
    if KEY is not None:
        return KEY.rnn_b_next_input(p_t)
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    if KEY is not None:
        return KEY.rnn_b_dloss_dx_depends_on()
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
