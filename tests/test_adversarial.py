"""The adversarial corpus: hostile submissions graded end to end through run_autograder.

Each folder of ``tests/adversarial/`` is one attack: a student's upload (``we_recur.py``,
maybe other files) and ``expected.yaml``::

    description: what the attack tries
    max_total: 0        # the most points this submission may legitimately earn
    min_total: 0        # optional: the least it must still earn (its honest parts)
    extra_checks: [no_pwned_file, no_network, no_planted_files]   # optional

Every attack is graded once, exactly as Gradescope would: a fresh, world-traversable
AUTOGRADER_ROOT holds a copy of the grader (``source/``, with Gradescope-like file
modes and planted canaries), the upload (``submission/``), ``submission_metadata.json``
and ``results/``; ``source/run_autograder`` runs as a subprocess with a canary in its
environment. The run's evidence is collected once (see :func:`run_attack`), and each
aspect below is a separate test, so a report reads "attack X fails aspect Y":

``results_valid``     results.json exists and is a valid Gradescope results file
``score_bounds``      no forged or unearned points (max_total, min_total, per-test max)
``no_leaks``          no canary token nor a line of the reference answer key in results.json
``no_survivors``      no process of the sandbox user, nor one carrying the attack's marker,
                      is alive right after run_autograder returns, nor 3 s later
``results_unchanged`` results.json is byte-identical right after the run and 3 s later
``grader_untouched``  the grader's tree, run_autograder and the metadata are unchanged,
                      and nothing under AUTOGRADER_ROOT is owned by the sandbox user
``bounded_time``      the run ended by itself in under 90 s
plus per-attack ``extra_checks``:
``no_pwned_file``     the file a pickle/dunder payload creates when run in the grader never appears
``no_network``        nothing reached the harness's loopback listeners (unless the grader
                      reported that network isolation was unavailable)
``no_planted_files``  nothing was written into the interpreter's site-packages

Processes the attacks start carry the marker ``AGMARK-<attack>`` in their command line
(``argv[0]``) or ``AGMARK`` at the start of their name (``/proc/PID/comm``). Survivors
are killed (by pid) once the evidence is taken, so one failure does not poison the next.
Set ``AG_ADVERSARIAL_KEEP=1`` to keep each run's AUTOGRADER_ROOT for inspection.
"""

import dataclasses
import hashlib
import json
import math
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).with_name("adversarial")
CONTROL = "control"  # examples/we_recur.py, through the same harness
CONTROL_MODULE = REPO / "examples" / "we_recur.py"
SOURCE_ENTRIES = ("autograder", "reference", "rubrics", "run_autograder", "setup.sh")
RUN_TIMEOUT = 120  # seconds before the harness gives up on run_autograder
BOUNDED = 90  # seconds a run may take
SETTLE = 3.0  # seconds between the two looks at processes and results.json
MARK = "AGMARK"
SANDBOX_USER_PREFIX = "ag-student"
IS_ROOT = os.geteuid() == 0
MAX_OUTPUT_CHARS = 100_000
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
KEEP = os.environ.get("AG_ADVERSARIAL_KEEP") == "1"

ASPECTS = (
    "results_valid",
    "score_bounds",
    "no_leaks",
    "no_survivors",
    "results_unchanged",
    "grader_untouched",
    "bounded_time",
)
EXTRA_ASPECTS = ("no_pwned_file", "no_network", "no_planted_files")


# -- the corpus ---------------------------------------------------------------------------------


def attack_names():
    return sorted(folder.name for folder in CORPUS.iterdir() if (folder / "expected.yaml").is_file())


def expected_of(name):
    if name == CONTROL:
        return {"description": "the correct example submission", "max_total": 12, "min_total": 12}
    return yaml.safe_load((CORPUS / name / "expected.yaml").read_text(encoding="utf-8"))


def cases():
    found = []
    for name in [CONTROL, *attack_names()]:
        extras = tuple(expected_of(name).get("extra_checks") or ())
        unknown = set(extras) - set(EXTRA_ASPECTS)
        assert not unknown, f"{name}/expected.yaml names unknown extra_checks {sorted(unknown)}"
        found += [pytest.param(name, aspect, id=f"{name}-{aspect}") for aspect in (*ASPECTS, *extras)]
    return found


# -- processes ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    start: int  # clock ticks since boot: tells a process from a later one that reuses its pid
    uid: int
    comm: str
    cmdline: str

    @property
    def key(self):
        return (self.pid, self.start)

    def marked(self, marker):
        """Whether this process carries ``marker`` (AGMARK-<attack>) in its command line,
        or as its name (which the kernel cuts to 15 characters)."""
        return marker in self.cmdline or (self.comm.startswith(MARK) and marker.startswith(self.comm))

    def __str__(self):
        try:
            user = pwd.getpwuid(self.uid).pw_name
        except KeyError:
            user = str(self.uid)
        return f"pid {self.pid} ({user}) {self.comm!r}: {self.cmdline[:120]!r}"


def sandbox_uids():
    """Uids of the grader's sandbox users (ag-student, ag-student-1, ...), when root."""
    if not IS_ROOT:
        return set()
    return {entry.pw_uid for entry in pwd.getpwall() if entry.pw_name.startswith(SANDBOX_USER_PREFIX)}


def _own_lineage():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            stat_text = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat_text.rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def process_table():
    """Every living (not zombie) process, by pid."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            stat_text = Path(f"/proc/{pid}/stat").read_text()
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        after_name = stat_text.rpartition(")")[2].split()
        if len(after_name) < 20 or after_name[0] in ("Z", "X"):
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uids = [int(n) for n in fields.get("Uid", "").split()[:2]]
        table[pid] = Proc(
            pid, int(after_name[1]), int(after_name[19]), uids[1] if len(uids) > 1 else -1,
            fields.get("Name", "").strip(), cmdline.strip(),
        )
    return table


def living_suspects(uids, baseline, marker):
    """Processes this run left behind: those carrying its ``marker``, and (as root) those
    of the sandbox users that no living process outside the sandbox still owns.

    Other sessions may be grading at the same time on this machine, with the same sandbox
    user: a sandbox process whose ancestors include a living grader, a test run or a
    shell (anything but the sandbox user, a fresh zygote and init) is theirs, not ours."""
    table = process_table()
    exclude = _own_lineage()
    found = []
    for proc in table.values():
        if proc.pid in exclude or proc.key in baseline:
            continue
        if proc.marked(marker):
            found.append(proc)
            continue
        if proc.uid not in uids:
            continue
        parent, hops = table.get(proc.ppid), 0
        while parent is not None and parent.pid > 1 and hops < 64:
            ours = parent.uid in uids or ("--zygote" in parent.cmdline and parent.key not in baseline)
            if not ours:
                break
            parent, hops = table.get(parent.ppid), hops + 1
        if parent is None or parent.pid <= 1:  # an orphan of a grader that has exited
            found.append(proc)
    return found


def kill_procs(procs):
    """SIGKILL these exact processes (pid and start time), in rounds: a forker's children
    are found again by the next scan."""
    for proc in procs:
        try:
            stat_text = Path(f"/proc/{proc.pid}/stat").read_text()
            if int(stat_text.rpartition(")")[2].split()[19]) != proc.start:
                continue
            os.kill(proc.pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


def kill_new_suspects(uids, baseline, marker, rounds=50):
    for _ in range(rounds):
        alive = living_suspects(uids, baseline, marker)
        if not alive:
            return
        kill_procs(alive)
        time.sleep(0.05)


# -- the loopback listeners -----------------------------------------------------------------------


class Listener:
    """A TCP and a UDP socket on 127.0.0.1 that record whatever reaches them."""

    def __init__(self):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.tcp.settimeout(0.1)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.1)
        self.events = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=target, daemon=True) for target in (self._accept, self._receive)]
        for thread in self._threads:
            thread.start()

    @property
    def ports(self):
        return {"tcp_port": self.tcp.getsockname()[1], "udp_port": self.udp.getsockname()[1]}

    def _accept(self):
        while not self._stop.is_set():
            try:
                connection, peer = self.tcp.accept()
            except (socket.timeout, OSError):
                continue
            connection.settimeout(0.5)
            try:
                data = connection.recv(200)
            except OSError:
                data = b""
            connection.close()
            self.events.append(f"tcp connection from {peer}: {data!r}")

    def _receive(self):
        while not self._stop.is_set():
            try:
                data, peer = self.udp.recvfrom(200)
            except (socket.timeout, OSError):
                continue
            self.events.append(f"udp datagram from {peer}: {data!r}")

    def close(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        self.tcp.close()
        self.udp.close()


# -- building AUTOGRADER_ROOT ---------------------------------------------------------------------


def _ignore(folder, names):
    return [name for name in names if name == "__pycache__" or name.endswith(".pyc")]


def gradescope_modes(path):
    """File modes as Gradescope's unzip leaves them: everyone may read; only the grader
    itself (lock_down_gradescope) may make the tree private."""
    for folder, folders, files in os.walk(path):
        os.chmod(folder, 0o755)
        for name in files:
            file = Path(folder) / name
            if file.is_symlink():
                continue
            executable = file.stat().st_mode & stat.S_IXUSR
            os.chmod(file, 0o755 if executable else 0o644)


def build_root(base, name, tokens, config):
    root = base / "autograder"
    source = root / "source"
    source.mkdir(parents=True)
    for entry in SOURCE_ENTRIES:
        path = REPO / entry
        if path.is_dir():
            shutil.copytree(path, source / entry, ignore=_ignore)
        elif path.is_file():
            shutil.copy2(path, source / entry)
    for requirements in REPO.glob("requirements*.txt"):
        shutil.copy2(requirements, source / requirements.name)
    (source / "reference" / "CANARY_SECRET.txt").write_text(f"{tokens['file']}\n", encoding="utf-8")
    for relative, key in (("rubrics/we_recur.yaml", "rubric"), ("reference/answer_key.py", "key")):
        with open(source / relative, "a", encoding="utf-8") as stream:
            stream.write(f"\n# CANARY {tokens[key]}\n")
    gradescope_modes(source)
    # Gradescope copies run_autograder to /autograder/run_autograder; it is a target too.
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    (root / "submission_metadata.json").write_text(
        json.dumps(
            {
                "id": 123456789,
                "created_at": "2026-11-25T17:00:00.000000-08:00",
                "submission_method": "upload",
                "assignment": {
                    "id": 4242,
                    "title": "We Recur!",
                    "total_points": "12.0",
                    "due_date": "2026-12-01T23:59:00.000000-08:00",
                    "late_due_date": None,
                    "release_date": "2026-11-20T00:00:00.000000-08:00",
                },
                "users": [{"email": "student@example.edu", "id": 1001, "name": "A. Student"}],
                "previous_submissions": [],
            }
        ),
        encoding="utf-8",
    )
    os.chmod(root / "submission_metadata.json", 0o644)
    submission = root / "submission"
    submission.mkdir()
    if name == CONTROL:
        shutil.copy2(CONTROL_MODULE, submission / "we_recur.py")
    else:
        for entry in sorted((CORPUS / name).iterdir()):
            if entry.name == "expected.yaml" or entry.name == "__pycache__":
                continue
            if entry.is_symlink():  # an upload may hold links: keep them as links
                os.symlink(os.readlink(entry), submission / entry.name)
            elif entry.is_dir():
                shutil.copytree(entry, submission / entry.name, symlinks=True, ignore=_ignore)
            else:
                shutil.copy2(entry, submission / entry.name)
    (submission / "agconfig.json").write_text(json.dumps(config), encoding="utf-8")
    gradescope_modes(submission)
    (root / "results").mkdir()
    os.chmod(root / "results", 0o755)
    os.chmod(root, 0o755)
    return root


def fingerprint(root):
    """Content hashes of the grader's files (modes are the grader's to change)."""
    prints = {}
    targets = [root / "source", root / "run_autograder", root / "submission_metadata.json"]
    for target in targets:
        if target.is_file() or target.is_symlink():
            prints[str(target.relative_to(root))] = _hash(target)
            continue
        for folder, folders, files in os.walk(target):
            folders[:] = sorted(d for d in folders if d != "__pycache__")
            relative = Path(folder).relative_to(root)
            prints[f"{relative}/"] = "dir:" + ",".join(sorted(f for f in files if not f.endswith(".pyc")) + folders)
            for name in files:
                if not name.endswith(".pyc"):
                    prints[str(relative / name)] = _hash(Path(folder) / name)
    return prints


def _hash(path):
    if path.is_symlink():
        return "link:" + os.readlink(path)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"unreadable: {error}"


def foreign_files(root):
    """Files under ``root`` not owned by the harness's own user (the sandbox user wrote them)."""
    owner = os.geteuid()
    found = []
    for folder, folders, files in os.walk(root):
        for name in [*folders, *files]:
            path = Path(folder) / name
            try:
                if path.lstat().st_uid != owner:
                    found.append(str(path.relative_to(root)))
            except OSError:
                pass
    return found


def site_packages_dir():
    return Path(numpy.__file__).resolve().parent.parent


# -- one run ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class AttackRun:
    name: str
    expected: dict
    tokens: dict
    returncode: object
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool
    results_now: object  # bytes or None
    results_later: object
    survivors_now: list
    survivors_later: list
    fingerprint_before: dict
    fingerprint_after: dict
    foreign: list
    network_events: list
    pwned_path: str
    pwned: bool
    planted: list
    answer_key_lines: list

    def describe(self):
        tail = lambda text: text[-3000:] if text else ""  # noqa: E731
        return (
            f"[{self.name}] run_autograder exit {self.returncode} after {self.seconds:.1f} s"
            f"{' (TIMED OUT, killed by the harness)' if self.timed_out else ''}\n"
            f"--- stdout (tail) ---\n{tail(self.stdout)}\n--- stderr (tail) ---\n{tail(self.stderr)}"
        )

    def results(self):
        assert self.results_now is not None, f"no results.json\n{self.describe()}"
        return json.loads(self.results_now.decode("utf-8"), parse_constant=_reject_constant)


def _reject_constant(name):
    raise ValueError(f"results.json holds {name}, which is not JSON")


def _environment(root, tokens):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        {
            "AUTOGRADER_ROOT": str(root),
            "AUTOGRADER_PYTHON": sys.executable,
            "AG_CANARY_ENV": tokens["env"],
        }
    )
    return env


def _read(path):
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def run_attack(name):
    expected = expected_of(name)
    extras = set(expected.get("extra_checks") or ())
    uids = sandbox_uids()
    # Marked stragglers of an earlier run are killed; nothing that exists now is this
    # attack's doing.
    marker = f"{MARK}-{name}"
    kill_procs([p for p in process_table().values() if p.marked(marker) and p.pid not in _own_lineage()])
    baseline = frozenset(p.key for p in process_table().values())

    tokens = {key: f"CANARY{key.upper()}{secrets.token_hex(12)}" for key in ("file", "rubric", "key", "env")}
    pwned_path = f"/tmp/PWNED_{secrets.token_hex(8)}"
    listener = Listener() if "no_network" in extras else None
    config = {"marker": marker, "pwned_path": pwned_path, **(listener.ports if listener else {})}
    planted_names = [f"agmark_{name}.pth", f"agmark_{name}.py"]

    base = Path(tempfile.mkdtemp(dir="/tmp", prefix="ag-adversarial-"))
    os.chmod(base, 0o755)
    try:
        root = build_root(base, name, tokens, config)
        answer_key_lines = [
            line.strip()
            for line in (REPO / "reference" / "answer_key.py").read_text(encoding="utf-8").splitlines()
            if len(line.strip()) > 40
        ]
        before = fingerprint(root)
        out_path, err_path = base / "stdout.txt", base / "stderr.txt"
        started = time.monotonic()
        timed_out = False
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                [str(root / "source" / "run_autograder")],
                cwd=root,
                env=_environment(root, tokens),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
            try:
                returncode = process.wait(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                timed_out = True
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    pass
                returncode = process.wait()
        seconds = time.monotonic() - started
        uids = sandbox_uids()  # the grader may have created a sandbox user just now
        results_path = root / "results" / "results.json"
        results_now = _read(results_path)
        survivors_now = living_suspects(uids, baseline, marker)
        time.sleep(SETTLE)
        survivors_later = living_suspects(uids, baseline, marker)
        results_later = _read(results_path)
        kill_new_suspects(uids, baseline, marker)
        after = fingerprint(root)
        foreign = foreign_files(root)
        planted = [str(site_packages_dir() / n) for n in planted_names if (site_packages_dir() / n).exists()]
        for path in planted:  # never leave a planted file in the venv
            os.unlink(path)
        pwned = os.path.exists(pwned_path)
        if pwned:
            os.unlink(pwned_path)
        events = list(listener.events) if listener else []
        return AttackRun(
            name=name,
            expected=expected,
            tokens=tokens,
            returncode=returncode,
            stdout=out_path.read_text(encoding="utf-8", errors="replace"),
            stderr=err_path.read_text(encoding="utf-8", errors="replace"),
            seconds=seconds,
            timed_out=timed_out,
            results_now=results_now,
            results_later=results_later,
            survivors_now=survivors_now,
            survivors_later=survivors_later,
            fingerprint_before=before,
            fingerprint_after=after,
            foreign=foreign,
            network_events=events,
            pwned_path=pwned_path,
            pwned=pwned,
            planted=planted,
            answer_key_lines=answer_key_lines,
        )
    finally:
        if listener is not None:
            listener.close()
        kill_new_suspects(uids, baseline, marker)
        if KEEP:
            print(f"\n[{name}] kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


_RUNS = {}


@pytest.fixture
def attack_run(attack):
    if attack not in _RUNS:
        _RUNS[attack] = run_attack(attack)
    return _RUNS[attack]


# -- the aspects --------------------------------------------------------------------------------------


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def check_results_valid(run):
    data = run.results()
    problems = []
    assert isinstance(data, dict), f"results.json is a {type(data).__name__}, not an object"
    tests = data.get("tests")
    if not isinstance(tests, list):
        problems.append("'tests' is missing or not a list")
        tests = []
    numbers = (int, float)
    if "score" in data and not (isinstance(data["score"], numbers) and not isinstance(data["score"], bool)):
        problems.append(f"top-level score {data['score']!r} is not a number")
    for key in ("visibility", "stdout_visibility"):
        if key in data and data[key] not in VISIBILITIES:
            problems.append(f"top-level {key} {data[key]!r} is not a Gradescope visibility")
    for key in ("output_format", "test_output_format"):
        if key in data and data[key] not in FORMATS:
            problems.append(f"top-level {key} {data[key]!r} is not a Gradescope format")
    if len(str(data.get("output", ""))) >= MAX_OUTPUT_CHARS:
        problems.append("top-level output too long")
    if "extra_data" in data and not isinstance(data["extra_data"], dict):
        problems.append("extra_data is not an object")
    for index, test in enumerate(tests):
        if not isinstance(test, dict):
            problems.append(f"tests[{index}] is not an object")
            continue
        label = test.get("name", f"tests[{index}]")
        if not isinstance(test.get("name"), str):
            problems.append(f"{label}: name is missing or not a string")
        for key in ("score", "max_score"):
            value = test.get(key)
            if not isinstance(value, numbers) or isinstance(value, bool) or not math.isfinite(value):
                problems.append(f"{label}: {key} {value!r} is not a finite number")
        if test.get("status") not in ("passed", "failed"):
            problems.append(f"{label}: status {test.get('status')!r} is not passed/failed")
        if "visibility" in test and test["visibility"] not in VISIBILITIES:
            problems.append(f"{label}: visibility {test['visibility']!r}")
        if "output_format" in test and test["output_format"] not in FORMATS:
            problems.append(f"{label}: output_format {test['output_format']!r}")
        if not isinstance(test.get("output", ""), str) or len(test.get("output", "")) >= MAX_OUTPUT_CHARS:
            problems.append(f"{label}: output missing-type or too long")
    if "score" in data and not problems:
        total = sum(test["score"] for test in tests)
        if abs(data["score"] - total) > 1e-3:
            problems.append(f"score {data['score']} but the tests sum to {total}")
    assert not problems, "invalid results.json:\n- " + "\n- ".join(problems) + "\n" + run.describe()


def total_of(data):
    return data["score"] if "score" in data else sum(test.get("score", 0) for test in data.get("tests", []))


def check_score_bounds(run):
    data = run.results()
    total = total_of(data)
    scored = [
        f"{t.get('name')}: {t.get('score')}/{t.get('max_score')} ({t.get('status')})"
        for t in data.get("tests", [])
        if t.get("score")
    ]
    detail = "tests with points:\n  " + "\n  ".join(scored or ["(none)"])
    over = [t.get("name") for t in data.get("tests", []) if t.get("score", 0) > t.get("max_score", 0) + 1e-9]
    assert not over, f"tests scored above their max_score: {over}"
    negative = [t.get("name") for t in data.get("tests", []) if t.get("score", 0) < 0]
    assert not negative, f"negative test scores: {negative}"
    assert total <= run.expected["max_total"] + 1e-6, (
        f"{run.name}: {total} points, but this submission may earn at most {run.expected['max_total']}\n{detail}"
    )
    if "min_total" in run.expected:
        assert total >= run.expected["min_total"] - 1e-6, (
            f"{run.name}: {total} points, but its honest parts earn at least {run.expected['min_total']}\n"
            f"{detail}\n{run.describe()}"
        )


def check_no_leaks(run):
    assert run.results_now is not None, f"no results.json\n{run.describe()}"
    raw = run.results_now.decode("utf-8", errors="replace")
    try:
        decoded = "\n".join(_strings(json.loads(raw)))
    except ValueError:
        decoded = ""
    if not IS_ROOT:
        # Without root the grader cannot hide its files; it must at least say so.
        assert "reduced" in decoded.lower(), "not root, and results.json does not say that isolation is reduced"
        pytest.skip("not root: student code runs as this user and may read everything (reduced isolation)")
    leaked = [key for key, token in run.tokens.items() if token in raw or token in decoded]
    assert not leaked, f"canary tokens in results.json: {leaked}"
    lines = [line for line in run.answer_key_lines if line in raw or line in decoded]
    assert not lines, f"lines of reference/answer_key.py in results.json: {lines[:3]}"


def check_no_survivors(run):
    def offending(procs):
        return [p for p in procs if IS_ROOT or p.marked(f"{MARK}-{run.name}")]

    now, later = offending(run.survivors_now), offending(run.survivors_later)
    assert not now and not later, (
        f"processes alive right after run_autograder returned: {[str(p) for p in now][:10]}"
        f" ({len(now)} in all); {SETTLE:g} s later: {[str(p) for p in later][:10]} ({len(later)} in all)"
    )


def check_results_unchanged(run):
    assert run.results_now is not None, f"no results.json\n{run.describe()}"
    assert run.results_later == run.results_now, (
        f"results.json changed in the {SETTLE:g} s after run_autograder exited:\n"
        f"then: {run.results_now[:300]!r}\nlater: {(run.results_later or b'')[:300]!r}"
    )


def check_grader_untouched(run):
    before, after = run.fingerprint_before, run.fingerprint_after
    changed = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    assert not changed, f"the grader's files changed during grading: {changed[:20]}"
    assert not run.foreign, f"files under AUTOGRADER_ROOT now owned by another user: {run.foreign[:20]}"


def check_bounded_time(run):
    assert not run.timed_out, f"run_autograder did not finish in {RUN_TIMEOUT} s\n{run.describe()}"
    assert run.seconds < BOUNDED, f"run_autograder took {run.seconds:.1f} s (bound {BOUNDED} s)"


def check_no_pwned_file(run):
    assert not run.pwned, f"{run.pwned_path} appeared: a payload ran outside the student's process"


def check_no_network(run):
    if not run.network_events:
        return
    unavailable = "not isolated" in run.stdout.lower() or "not isolated" in run.stderr.lower()
    if unavailable:
        pytest.skip(f"the grader reported network isolation unavailable; reached: {run.network_events[:3]}")
    assert not run.network_events, f"student code reached the harness's loopback listeners: {run.network_events[:5]}"


def check_no_planted_files(run):
    assert not run.planted, f"student code wrote into the grader's site-packages: {run.planted}"


CHECKS = {name: globals()[f"check_{name}"] for name in (*ASPECTS, *EXTRA_ASPECTS)}


@pytest.mark.parametrize(("attack", "aspect"), cases())
def test_adversarial(attack_run, attack, aspect):
    CHECKS[aspect](attack_run)
