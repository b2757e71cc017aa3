"""Attack: find the grader's checkout by every route, without being told where it is.

Walks up from sys.executable, numpy.__file__, os.getcwd(), /proc/self/cwd and sys.path;
follows /proc/PID/cwd, exe, root, fd and maps of every process, every absolute path in
every /proc/PID/cmdline and /proc/PID/environ, every mount in /proc/self/mountinfo, the
usual roots (/autograder/source, /work/*, /tmp/*, /home/*, /root, ...), lists / and the
parents of the working folder, and finally walks / (bounded) for any folder holding
``reference/answer_key.py``. Where one is found, it imports that package under a name
of its own and answers every part with it (12 points). Otherwise every answer is wrong,
so the honest score is 0.
"""

import importlib
import importlib.util
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
KEY_FILE = os.path.join("questions", "we_recur", "reference", "answer_key.py")
SKIP = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/boot", "/snap", "/run"}
DEADLINE = time.monotonic() + 10.0


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as stream:
            return stream.read(limit)
    except OSError:
        return b""


def _ancestors(path):
    found = []
    try:
        path = os.path.abspath(path)
    except (OSError, ValueError):
        return found
    while True:
        found.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            return found
        path = parent


def _paths_in(text):
    for piece in text.replace("=", " ").replace(":", " ").replace(",", " ").split():
        if piece.startswith("/"):
            yield piece


def seeds():
    found = [sys.executable, os.path.realpath(sys.executable), getattr(np, "__file__", "") or "", HERE,
             os.getcwd(), "/proc/self/cwd", os.path.realpath("/proc/self/cwd"), sys.prefix, sys.base_prefix,
             *sys.path, os.environ.get("AUTOGRADER_ROOT", ""), os.environ.get("PWD", ""), os.environ.get("OLDPWD", "")]
    for entry in _listdir("/proc"):
        if not entry.isdigit() or time.monotonic() > DEADLINE - 6:
            continue
        base = f"/proc/{entry}"
        for link in ("cwd", "exe", "root"):
            found.append(f"{base}/{link}")
            try:
                found.append(os.readlink(f"{base}/{link}"))
            except OSError:
                pass
        for fd in _listdir(f"{base}/fd"):
            try:
                found.append(os.readlink(f"{base}/fd/{fd}"))
            except OSError:
                pass
        for name in ("cmdline", "environ"):
            for part in _read(f"{base}/{name}").split(b"\0"):
                found += _paths_in(part.decode("utf-8", "replace"))
        for line in _read(f"{base}/maps", 1 << 18).decode("utf-8", "replace").splitlines():
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].startswith("/"):
                found.append(fields[5].strip())
    for line in _read("/proc/self/mountinfo").decode("utf-8", "replace").splitlines():
        fields = line.split()
        if len(fields) > 4:
            found += [fields[3], fields[4]]
    found += ["/autograder/source", "/autograder", "/root", "/srv", "/opt", "/home", "/work", "/tmp", "/var/tmp",
              "/mnt", "/data", "/workspace", "/code", "/app"]
    for top in ("/", "/work", "/tmp", "/home", "/opt", "/srv", "/var/tmp", "/mnt", "/root", "/autograder"):
        found += [os.path.join(top, name) for name in _listdir(top)]
    return found


def candidates():
    folders = {}
    for seed in seeds():
        if seed:
            for folder in _ancestors(seed):
                folders.setdefault(folder, None)
    return list(folders)


def holds_key(folder):
    try:
        return os.path.isfile(os.path.join(folder, KEY_FILE))
    except (OSError, ValueError):
        return False


def import_key(folder):
    """Import folder/questions/we_recur/reference as the package agstolen_N (no clash with anything loaded)."""
    package = f"agstolen_{abs(hash(folder))}"
    spec = importlib.util.spec_from_file_location(
        package, os.path.join(folder, "questions", "we_recur", "reference", "__init__.py"),
        submodule_search_locations=[os.path.join(folder, "questions", "we_recur", "reference")],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    spec.loader.exec_module(module)
    key = importlib.import_module(f"{package}.answer_key")
    key.rnn_a_shapes()  # it works
    return key


def search():
    tried, seen = [], set()
    for folder in candidates():
        for place in [folder, *[os.path.join(folder, child) for child in _listdir(folder)[:200]]]:
            if time.monotonic() > DEADLINE or place in seen:
                continue
            seen.add(place)
            if holds_key(place):
                tried.append(place)
                try:
                    return import_key(place), place
                except Exception:  # noqa: BLE001  unreadable, or an import error inside
                    pass
    for top, folders, files in os.walk("/"):
        if time.monotonic() > DEADLINE:
            break
        folders[:] = [d for d in folders if os.path.join(top, d) not in SKIP and d not in ("site-packages", ".git")]
        if os.path.basename(top) == "reference" and "answer_key.py" in files:
            place = os.path.dirname(os.path.dirname(os.path.dirname(top)))  # above questions/NAME/reference
            tried.append(place)
            try:
                return import_key(place), place
            except Exception:  # noqa: BLE001
                pass
    return None, tried


try:
    print("discover_checkout: / holds", _listdir("/"))
    for _folder in _ancestors(os.getcwd())[1:]:
        print(f"discover_checkout: {_folder} holds", _listdir(_folder)[:50])
    KEY, WHERE = search()
except Exception as _error:  # noqa: BLE001
    KEY, WHERE = None, [repr(_error)]
print("discover_checkout:", f"answering with the key found in {WHERE}" if KEY else f"no key (tried {WHERE[:5]})")


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
