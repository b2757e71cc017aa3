"""The adversarial corpus: hostile submissions graded end to end, in five modes.

Each folder of ``tests/adversarial/`` is one attack: a student's upload (``we_recur.py``,
maybe other files) and ``expected.yaml``::

    description: what the attack tries
    max_total: 0        # the most points this submission may legitimately earn
    min_total: 0        # optional: the least it must still earn (its honest parts)
    extra_checks: [no_pwned_file, no_network, no_planted_files]   # optional

Every attack is graded once per mode, each a real run in a subprocess:

``gradescope``  Gradescope's layout as root: a fresh, world-readable AUTOGRADER_ROOT
                holds a copy of the grader (``source/``, with Gradescope-like file
                modes and planted canaries), the upload (``submission/``),
                ``submission_metadata.json`` and ``results/``; ``source/run_autograder``
                runs with a canary in its environment.
``docker``      the same, under ``tests/modes/docker_like.py``: Docker's default
                capabilities only (no CAP_SYS_ADMIN) and the namespace refusals of
                Docker's default seccomp profile, which is how Gradescope's container runs.
``checkout``    ``python -m autograder grade SUBMISSION --json OUT`` as root, from a
                world-readable copy of the checkout under /tmp (canaries planted).
``user``        the same as an ordinary user the harness creates (``agtester``), with a
                virtual environment built from the system python3 that user can run.
``restricted-user``  the same where unprivileged user namespaces are refused (Ubuntu
                24.04's AppArmor, a container): no PID or network namespace for the
                worker, so only Landlock, seccomp and the zygote's subtree hold.
``q7``          ``docker`` again, with the grader built for the second question (Fall
                2018 Q7: the source's ``questions/default.txt`` names it, as a zip built
                with ``build --question fall_2018_q7`` does) and each upload's
                ``we_recur.*`` files renamed to ``rnn_q7.*``: the border is the engine's,
                not one question's. No attack implements Q7, so every one is bounded by
                0 points; the control is Q7's example (8 autograded points).

In every mode the grading user's HOME is a fake home holding ``.ssh/id_rsa`` and
``.bashrc`` with canaries, and a TCP, a UDP, a path-bound unix and an abstract unix
listener record whatever reaches them. ``test_batch`` also grades the whole corpus as
one export with ``batch`` in the ``checkout`` and the user modes, where one student can
try to read another's files.

The run's evidence is collected once (see :func:`run_attack`), and each aspect below
is a separate test, so a report reads "attack X in mode M fails aspect Y":

``results_valid``     results.json exists and is a valid Gradescope results file
``score_bounds``      no forged or unearned points (max_total, min_total, per-test max)
``no_leaks``          no canary token (the grader's files, its environment, the fake
                      home's key) nor a line of the reference answer key in results.json
``no_survivors``      no process of the sandbox users (or, in the user modes, of
                      agtester), nor one carrying the attack's marker, is alive right
                      after the run, nor 3 s later
``results_unchanged`` results.json is byte-identical right after the run and 3 s later
``grader_untouched``  the grader's tree, run_autograder and the metadata are unchanged,
                      and nothing under it is owned by the sandbox user
``bounded_time``      the run ended by itself in under 90 s
plus per-attack ``extra_checks``:
``no_pwned_file``     the file a pickle/dunder payload creates when run in the grader never appears
``no_network``        nothing reached the loopback TCP and UDP listeners
``no_unix_socket``    nothing reached the path-bound or the abstract unix listener
``no_planted_files``  nothing was written into the interpreter's site-packages
``no_leftovers``      nothing new of the sandbox user (or agtester) is left in a
                      world-writable folder or in SysV IPC
``home_untouched``    the fake home's files are unchanged

The harness writes ``agconfig.json`` into the upload with what an attack cannot know
in advance: its process ``marker`` (``AGMARK-<folder>``; any process it starts carries
it in ``argv[0]`` or as its name), the ``pwned_path`` a payload creates if it ever runs
in the grader, the listeners (``tcp_port``, ``udp_port``, ``unix_path``,
``abstract_name``), ``secret_paths`` (files holding canaries) and ``home``. Survivors
are killed (by pid) once the evidence is taken, so one failure does not poison the
next. Set ``AG_ADVERSARIAL_KEEP=1`` to keep each run's folder for inspection, and
``AG_ADVERSARIAL_MODES=gradescope,user`` to run some modes only.

Every mode needs root (to build the layout, create the user, drop capabilities): run
as another user, the module is skipped, and says so.
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
DOCKER_LIKE = Path(__file__).with_name("modes") / "docker_like.py"
CONTROL = "control"  # the graded question's example, through the same harness


@dataclasses.dataclass(frozen=True)
class Graded:
    """A question the corpus is graded against: its folder under questions/, its module's
    stem, its reference file that holds answers (a canary goes into it), and the points
    its example (the control) earns (Q7's other 2 are graded by hand)."""

    name: str
    stem: str
    key_file: str
    control_points: float

    @property
    def folder(self):
        return Path("questions") / self.name

    @property
    def control_module(self):
        return REPO / self.folder / "example" / f"{self.stem}.py"


#: The question the corpus was written for, and the second one (the ``q7`` mode).
WE_RECUR = Graded("we_recur", "we_recur", "reference/answer_key.py", 12)
Q7 = Graded("fall_2018_q7", "rnn_q7", "reference/answers.py", 8)
SOURCE_ENTRIES = ("autograder", "questions", "run_autograder", "setup.sh")
RUN_TIMEOUT = 120  # seconds before the harness gives up on one run
BATCH_TIMEOUT = 600  # seconds before it gives up on a batch of the whole corpus
BOUNDED = 90  # seconds a run may take
SETTLE = 3.0  # seconds between the two looks at processes and results.json
MARK = "AGMARK"
SANDBOX_USER_PREFIX = "ag-student"
TEST_USER = "agtester"
IS_ROOT = os.geteuid() == 0
MAX_OUTPUT_CHARS = 100_000
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
KEEP = os.environ.get("AG_ADVERSARIAL_KEEP") == "1"
ALL_MODES = ("gradescope", "docker", "checkout", "user", "restricted-user", "q7")
#: The modes that build Gradescope's layout (``q7`` is ``docker`` grading Fall 2018 Q7).
LAYOUT_MODES = ("gradescope", "docker", "q7")
#: The modes in which the grader runs as the ordinary user agtester.
USER_MODES = ("user", "restricted-user")


def question_of(mode):
    """The question ``mode`` grades."""
    return Q7 if mode == "q7" else WE_RECUR


MODES = tuple(m for m in os.environ.get("AG_ADVERSARIAL_MODES", ",".join(ALL_MODES)).split(",") if m in ALL_MODES)
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="the adversarial modes need root (as CI runs): run as root")

ASPECTS = (
    "results_valid",
    "score_bounds",
    "no_leaks",
    "no_survivors",
    "results_unchanged",
    "grader_untouched",
    "bounded_time",
)
EXTRA_ASPECTS = ("no_pwned_file", "no_network", "no_unix_socket", "no_planted_files", "no_leftovers", "home_untouched")


# -- the corpus ---------------------------------------------------------------------------------


def attack_names():
    return sorted(folder.name for folder in CORPUS.iterdir() if (folder / "expected.yaml").is_file())


def expected_of(name, question=WE_RECUR):
    """What ``name`` may earn graded against ``question``: its expected.yaml, or against
    another question than We Recur! (which no attack implements) at most 0 and its extra
    checks."""
    if name == CONTROL:
        points = question.control_points
        return {"description": "the correct example submission", "max_total": points, "min_total": points}
    expected = yaml.safe_load((CORPUS / name / "expected.yaml").read_text(encoding="utf-8"))
    if question != WE_RECUR:
        expected = {**expected, "max_total": 0}
        expected.pop("min_total", None)
    return expected


def cases():
    found = []
    for mode in MODES:
        for name in [CONTROL, *attack_names()]:
            extras = tuple(expected_of(name, question_of(mode)).get("extra_checks") or ())
            unknown = set(extras) - set(EXTRA_ASPECTS)
            assert not unknown, f"{name}/expected.yaml names unknown extra_checks {sorted(unknown)}"
            found += [
                pytest.param(mode, name, aspect, id=f"{mode}-{name}-{aspect}") for aspect in (*ASPECTS, *extras)
            ]
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
    """A TCP and a UDP socket on 127.0.0.1, a unix socket bound to a path anyone may
    connect to, and an abstract unix socket, recording whatever reaches them."""

    def __init__(self, folder):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = str(Path(folder) / "listener.sock")
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.abstract_name = f"agmark-listener-{secrets.token_hex(6)}"
        self.abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abstract.bind("\0" + self.abstract_name)
        for server in (self.tcp, self.unix, self.abstract):
            server.listen(64)
        for server in (self.tcp, self.udp, self.unix, self.abstract):
            server.settimeout(0.1)
        self.events = {"network": [], "unix": []}
        self._stop = threading.Event()
        targets = [
            (self._accept, (self.tcp, "network", "tcp")),
            (self._receive, (self.udp,)),
            (self._accept, (self.unix, "unix", "unix path")),
            (self._accept, (self.abstract, "unix", "abstract unix")),
        ]
        self._threads = [threading.Thread(target=t, args=a, daemon=True) for t, a in targets]
        for thread in self._threads:
            thread.start()

    @property
    def config(self):
        return {
            "tcp_port": self.tcp.getsockname()[1],
            "udp_port": self.udp.getsockname()[1],
            "unix_path": self.unix_path,
            "abstract_name": self.abstract_name,
        }

    def _accept(self, server, kind, label):
        while not self._stop.is_set():
            try:
                connection, peer = server.accept()
            except (socket.timeout, OSError):
                continue
            connection.settimeout(0.5)
            try:
                data = connection.recv(200)
            except OSError:
                data = b""
            connection.close()
            self.events[kind].append(f"{label} connection from {peer!r}: {data!r}")

    def _receive(self, server):
        while not self._stop.is_set():
            try:
                data, peer = server.recvfrom(200)
            except (socket.timeout, OSError):
                continue
            self.events["network"].append(f"udp datagram from {peer}: {data!r}")

    def close(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        for server in (self.tcp, self.udp, self.unix, self.abstract):
            server.close()


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


def copy_grader(source, tokens, question=WE_RECUR):
    """A copy of the grader at ``source`` that grades ``question`` by default, with
    canaries planted (``tokens``: ``file``, ``rubric`` and ``key``) in We Recur!'s
    folder, which the corpus's attacks look for, and in ``question``'s, in the modes an
    unzip or a clone leaves: world-readable."""
    source.mkdir(parents=True)
    for entry in SOURCE_ENTRIES:
        path = REPO / entry
        if path.is_dir():
            shutil.copytree(path, source / entry, ignore=_ignore)
        elif path.is_file():
            shutil.copy2(path, source / entry)
    for requirements in REPO.glob("requirements*.txt"):
        shutil.copy2(requirements, source / requirements.name)
    (source / "questions" / "default.txt").write_text(f"{question.name}\n", encoding="utf-8")
    for planted in dict.fromkeys((WE_RECUR, question)):
        folder = source / planted.folder
        (folder / "reference" / "CANARY_SECRET.txt").write_text(f"{tokens['file']}\n", encoding="utf-8")
        for relative, key in (("rubric.yaml", "rubric"), (planted.key_file, "key")):
            with open(folder / relative, "a", encoding="utf-8") as stream:
                stream.write(f"\n# CANARY {tokens[key]}\n")
    gradescope_modes(source)


def build_upload(submission, name, config, question=WE_RECUR):
    """The attack ``name``'s upload in the folder ``submission``, with its agconfig.json,
    for ``question``: its ``we_recur.*`` files are named after that question's module
    (links kept as links, pointing where they pointed)."""
    submission.mkdir(parents=True)
    stem = question.stem
    if name == CONTROL:
        shutil.copy2(question.control_module, submission / f"{stem}.py")
    else:
        for entry in sorted((CORPUS / name).iterdir()):
            if entry.name == "expected.yaml" or entry.name == "__pycache__":
                continue
            target = submission / entry.name
            if entry.name.startswith("we_recur."):
                target = submission / (stem + entry.name[len("we_recur"):])
            if entry.is_symlink():  # an upload may hold links: keep them as links
                os.symlink(os.readlink(entry), target)
            elif entry.is_dir():
                shutil.copytree(entry, target, symlinks=True, ignore=_ignore)
            else:
                shutil.copy2(entry, target)
    (submission / "agconfig.json").write_text(json.dumps(config), encoding="utf-8")
    gradescope_modes(submission)


def build_root(base, name, tokens, config, question=WE_RECUR):
    """Gradescope's /autograder, under ``base``, built for ``question``."""
    root = base / "autograder"
    source = root / "source"
    copy_grader(source, tokens, question)
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
    build_upload(root / "submission", name, config, question)
    (root / "results").mkdir()
    os.chmod(root / "results", 0o755)
    os.chmod(root, 0o755)
    return root


def fingerprint(root, targets=None):
    """Content hashes of the grader's files (modes are the grader's to change): by
    default Gradescope's, under its ``root``."""
    prints = {}
    targets = targets or [root / "source", root / "run_autograder", root / "submission_metadata.json"]
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


def foreign_files(root, owner=None):
    """Files under ``root`` not owned by ``owner`` (default: the harness's own user):
    the sandbox user, or the grading user, wrote them."""
    owner = os.geteuid() if owner is None else owner
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


def site_packages_dir(python=None):
    if python is None:
        return Path(numpy.__file__).resolve().parent.parent
    found = subprocess.run([python, "-c", "import numpy; print(numpy.__file__)"], capture_output=True, text=True)
    return Path(found.stdout.strip()).resolve().parent.parent


# -- one run ----------------------------------------------------------------------------------------


# -- what every mode shares: the checkout copy, the test user and its interpreter ---------------


class World:
    """Built once per test session: a world-readable copy of the checkout under /tmp with
    canaries planted (the ``checkout`` and ``user`` modes grade from it), the ordinary
    user ``agtester``, and a virtual environment of the system python3 that this user
    can run (root's own interpreter may lie in /root, which only root may enter)."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(dir="/tmp", prefix="ag-world-"))
        os.chmod(self.base, 0o755)
        self.tokens = {key: f"CANARY{key.upper()}{secrets.token_hex(12)}" for key in ("file", "rubric", "key")}
        self.checkout = self.base / "checkout"
        copy_grader(self.checkout, self.tokens)
        self._user = None
        self._user_python = None

    @property
    def user(self):
        """agtester's passwd entry, created on first use as an ordinary user."""
        if self._user is None:
            try:
                self._user = pwd.getpwnam(TEST_USER)
            except KeyError:
                subprocess.run(
                    ["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", TEST_USER],
                    check=True, capture_output=True,
                )
                self._user = pwd.getpwnam(TEST_USER)
        return self._user

    @property
    def user_python(self):
        """An interpreter with the grader's requirements that agtester may run."""
        if self._user_python is None:
            venv = self.base / "venv"
            system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
            subprocess.run([system, "-m", "venv", str(venv)], check=True, capture_output=True)
            subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "-r", str(REPO / "requirements.txt")],
                check=True, capture_output=True,
            )
            subprocess.run(["chmod", "-R", "a+rX", str(venv)], check=True)
            self._user_python = str(venv / "bin" / "python")
        return self._user_python

    def close(self):
        if not KEEP:
            shutil.rmtree(self.base, ignore_errors=True)


_WORLD = []


def world():
    if not _WORLD:
        _WORLD.append(World())
    return _WORLD[0]


@pytest.fixture(scope="module", autouse=True)
def _world_cleanup():
    yield
    if _WORLD:
        _WORLD.pop().close()


def make_home(home, owner, token):
    """A fake home for the grading user: a private key holding ``token``, a .bashrc."""
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(
        f"-----BEGIN OPENSSH PRIVATE KEY-----\n{token}\n-----END OPENSSH PRIVATE KEY-----\n", encoding="utf-8"
    )
    (home / ".bashrc").write_text("# the grading user's shell start-up\nexport PS1='$ '\n", encoding="utf-8")
    os.chmod(home / ".ssh" / "id_rsa", 0o600)
    os.chmod(home / ".ssh", 0o700)
    os.chmod(home, 0o750)
    for folder, folders, files in os.walk(home):
        for name in [*folders, *files]:
            os.chown(Path(folder) / name, owner.pw_uid, owner.pw_gid)
    os.chown(home, owner.pw_uid, owner.pw_gid)


def leftover_snapshot(uids):
    """What ``uids`` own in the world-writable folders and in SysV IPC, as
    ``{(place, name, inode)}``."""
    found = set()
    for place in WORLD_WRITABLE:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid in uids:
                    found.add((place, entry.name, entry.inode()))
            except OSError:
                pass
    for kind, column in (("shm", 7), ("msg", 7), ("sem", 4)):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > column and fields[column].isdigit() and int(fields[column]) in uids:
                found.add((f"sysv {kind}", fields[1], 0))
    return found


# -- one run ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class AttackRun:
    name: str
    mode: str
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
    unix_events: list
    pwned_path: str
    pwned: bool
    planted: list
    answer_key_lines: list
    leftovers: list
    home_before: dict
    home_after: dict

    def describe(self):
        tail = lambda text: text[-3000:] if text else ""  # noqa: E731
        return (
            f"[{self.mode}/{self.name}] exit {self.returncode} after {self.seconds:.1f} s"
            f"{' (TIMED OUT, killed by the harness)' if self.timed_out else ''}\n"
            f"--- stdout (tail) ---\n{tail(self.stdout)}\n--- stderr (tail) ---\n{tail(self.stderr)}"
        )

    def results(self):
        assert self.results_now is not None, f"no results.json\n{self.describe()}"
        return json.loads(self.results_now.decode("utf-8"), parse_constant=_reject_constant)


def _reject_constant(name):
    raise ValueError(f"results.json holds {name}, which is not JSON")


def _read(path):
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _answer_key_lines():
    return [
        line.strip()
        for line in (REPO / "questions" / "we_recur" / "reference" / "answer_key.py").read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 40
    ]


@dataclasses.dataclass
class Setting:
    """How one mode runs the grader: the command, where it works, as whom, with what."""

    command: list
    cwd: Path
    env: dict
    owner: object  # passwd entry of the grading user
    results: Path
    grader_targets: list  # what fingerprint() hashes
    grader_tree: Path  # what foreign_files() walks
    python: object  # the interpreter whose site-packages no attack may plant into


def grading_environment(base, tokens, home):
    """The grader's environment: the harness's own, less pytest's, with the environment
    canary, the fake ``home``, and a temporary folder of the run's own in ``base`` (so
    that anything new in /tmp afterwards is the student's, or a grader's that did not
    clean up)."""
    temporary = base / "tmp"
    temporary.mkdir(mode=0o1777)
    os.chmod(temporary, 0o1777)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update({"AG_CANARY_ENV": tokens["env"], "HOME": str(home), "TMPDIR": str(temporary)})
    return env


def setting_for(mode, run_base, name, config, tokens):
    """Build what ``mode`` needs under ``run_base`` and say how to run it."""
    env = grading_environment(run_base, tokens, config["home"])
    if mode in LAYOUT_MODES:
        root = build_root(run_base, name, tokens, config, question_of(mode))
        env.update({"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable})
        command = [str(root / "source" / "run_autograder")]
        if mode in ("docker", "q7"):
            command = [sys.executable, str(DOCKER_LIKE), "--", *command]
        return Setting(command, root, env, pwd.getpwuid(0), root / "results" / "results.json", None, root, None)
    checkout = world().checkout
    submission = run_base / "upload" / "submission"
    build_upload(submission, name, config)
    out = run_base / "out"
    out.mkdir()
    owner = world().user if mode in USER_MODES else pwd.getpwuid(0)
    os.chown(out, owner.pw_uid, owner.pw_gid)
    os.chmod(out, 0o700)
    python = world().user_python if mode in USER_MODES else sys.executable
    env["PYTHONPATH"] = str(checkout)
    command = [python, "-m", "autograder", "grade", str(submission), "--json", str(out / "results.json")]
    command = as_grading_user(mode, owner, command, env)
    return Setting(
        command, checkout, env, owner, out / "results.json", [checkout], checkout,
        python if mode in USER_MODES else None,
    )


def as_grading_user(mode, owner, command, env):
    """``command`` as ``mode`` runs it: as agtester in the user modes, and in
    ``restricted-user`` under the namespace refusals of tests/modes/docker_like.py, as
    where unprivileged user namespaces are off (Ubuntu 24.04's AppArmor, Docker): no
    PID or network namespace, so cleanup has only the zygote's subtree and seccomp."""
    if mode not in USER_MODES:
        return command
    env.update({"USER": TEST_USER, "LOGNAME": TEST_USER})
    command = ["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--clear-groups", "--", *command]
    if mode == "restricted-user":
        command = [sys.executable, str(DOCKER_LIKE), "--", *command]
    return command


def suspect_uids(mode):
    uids = sandbox_uids()
    if mode in USER_MODES:
        uids.add(world().user.pw_uid)
    return uids


def run_attack(mode, name):
    expected = expected_of(name, question_of(mode))
    marker = f"{MARK}-{name}"
    # Marked stragglers of an earlier run are killed; nothing that exists now is this
    # attack's doing.
    kill_procs([p for p in process_table().values() if p.marked(marker) and p.pid not in _own_lineage()])
    baseline = frozenset(p.key for p in process_table().values())
    tokens = {key: f"CANARY{key.upper()}{secrets.token_hex(12)}" for key in ("file", "rubric", "key", "env", "home")}
    if mode not in LAYOUT_MODES:  # these grade from the world's checkout
        tokens.update(world().tokens)
    pwned_path = f"/tmp/PWNED_{secrets.token_hex(8)}"
    base = Path(tempfile.mkdtemp(dir="/tmp", prefix="ag-adversarial-"))
    os.chmod(base, 0o755)
    listener = Listener(base)
    uids = suspect_uids(mode)
    try:
        owner = world().user if mode in USER_MODES else pwd.getpwuid(0)
        home = base / "home"
        make_home(home, owner, tokens["home"])
        config = {
            "marker": marker, "pwned_path": pwned_path, **listener.config, "home": str(home),
            "secret_paths": [str(home / ".ssh" / "id_rsa"), str(world().checkout / "questions" / "we_recur" / "reference" / "CANARY_SECRET.txt")],
        }
        setting = setting_for(mode, base, name, config, tokens)
        before = fingerprint(setting.grader_tree, setting.grader_targets)
        home_before = fingerprint(home, [home])
        leftovers_before = leftover_snapshot(uids)
        planted_names = [f"agmark_{name}.pth", f"agmark_{name}.py"]
        site_packages = site_packages_dir(setting.python)
        out_path, err_path = base / "stdout.txt", base / "stderr.txt"
        started = time.monotonic()
        timed_out = False
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                setting.command, cwd=setting.cwd, env=setting.env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
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
        uids = suspect_uids(mode)  # the grader may have created a sandbox user just now
        results_now = _read(setting.results)
        survivors_now = living_suspects(uids, baseline, marker)
        time.sleep(SETTLE)
        survivors_later = living_suspects(uids, baseline, marker)
        results_later = _read(setting.results)
        leftovers = sorted(leftover_snapshot(uids) - leftovers_before)
        kill_new_suspects(uids, baseline, marker)
        after = fingerprint(setting.grader_tree, setting.grader_targets)
        foreign = foreign_files(setting.grader_tree)
        planted = [str(site_packages / n) for n in planted_names if (site_packages / n).exists()]
        for path in planted:  # never leave a planted file in the venv
            os.unlink(path)
        pwned = os.path.exists(pwned_path)
        if pwned:
            os.unlink(pwned_path)
        return AttackRun(
            name=name, mode=mode, expected=expected, tokens=tokens, returncode=returncode,
            stdout=out_path.read_text(encoding="utf-8", errors="replace"),
            stderr=err_path.read_text(encoding="utf-8", errors="replace"),
            seconds=seconds, timed_out=timed_out, results_now=results_now, results_later=results_later,
            survivors_now=survivors_now, survivors_later=survivors_later, fingerprint_before=before,
            fingerprint_after=after, foreign=foreign, network_events=list(listener.events["network"]),
            unix_events=list(listener.events["unix"]), pwned_path=pwned_path, pwned=pwned, planted=planted,
            answer_key_lines=_answer_key_lines(), leftovers=leftovers, home_before=home_before,
            home_after=fingerprint(home, [home]),
        )
    finally:
        listener.close()
        kill_new_suspects(uids, baseline, marker)
        if KEEP:
            print(f"\n[{mode}/{name}] kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


#: Runs of one mode go side by side, this many at a time: most of a run is waiting (for
#: timeouts, for the settling look), and each run has its own folders, listeners,
#: marker and (as root) sandbox user, so runs cannot see each other's evidence.
PARALLEL_RUNS = int(os.environ.get("AG_ADVERSARIAL_PARALLEL", "3"))
_RUNS = {}


@pytest.fixture
def attack_run(mode, attack):
    """The run of ``attack`` in ``mode``. The first one asked for in a mode starts every
    attack of that mode (the cases are ordered by mode, then attack)."""
    import concurrent.futures

    if (mode, attack) not in _RUNS:
        for pool in _RUNS.pop("pool", []):
            pool.shutdown(wait=True)
        _RUNS.clear()
        if mode in USER_MODES:
            world().user_python  # built once, before the runs that need it start
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL_RUNS)
        _RUNS["pool"] = [pool]
        for name in [CONTROL, *attack_names()]:
            _RUNS[mode, name] = pool.submit(run_attack, mode, name)
    return _RUNS[mode, attack].result()


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
    leaked = [key for key, token in run.tokens.items() if token in raw or token in decoded]
    assert not leaked, f"canary tokens in results.json: {leaked}"
    lines = [line for line in run.answer_key_lines if line in raw or line in decoded]
    assert not lines, f"lines of reference/answer_key.py in results.json: {lines[:3]}"


def check_no_survivors(run):
    now, later = run.survivors_now, run.survivors_later
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
    assert not run.network_events, f"student code reached the loopback listeners: {run.network_events[:5]}"


def check_no_unix_socket(run):
    assert not run.unix_events, f"student code reached the unix socket listeners: {run.unix_events[:5]}"


def check_no_leftovers(run):
    assert not run.leftovers, f"left behind for the next submission: {run.leftovers[:20]}"


def check_home_untouched(run):
    before, after = run.home_before, run.home_after
    changed = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    assert not changed, f"the grading user's home changed: {changed}"


def check_no_planted_files(run):
    assert not run.planted, f"student code wrote into the grader's site-packages: {run.planted}"


CHECKS = {name: globals()[f"check_{name}"] for name in (*ASPECTS, *EXTRA_ASPECTS)}


@pytest.mark.parametrize(("mode", "attack", "aspect"), cases())
def test_adversarial(attack_run, mode, attack, aspect):
    CHECKS[aspect](attack_run)


# -- the whole corpus as one export -----------------------------------------------------------------

BATCH_MODES = tuple(mode for mode in MODES if mode in ("checkout", *USER_MODES))
BATCH_ASPECTS = ("complete", *ASPECTS, *EXTRA_ASPECTS)


@dataclasses.dataclass
class BatchRun:
    mode: str
    returncode: object
    seconds: float
    timed_out: bool
    stdout: str
    stderr: str
    rows: list  # scores.csv's rows, as dicts
    names: list  # the submissions in the export
    runs: dict  # name -> AttackRun (the batch's evidence for that submission)

    def describe(self):
        return (
            f"[batch {self.mode}] exit {self.returncode} after {self.seconds:.1f} s\n"
            f"--- stdout (tail) ---\n{self.stdout[-3000:]}\n--- stderr (tail) ---\n{self.stderr[-3000:]}"
        )


def run_batch(mode):
    """Grade the control and every attack as one export with ``batch --jobs 2``."""
    import csv

    names = [CONTROL, *attack_names()]
    markers = [f"{MARK}-{name}" for name in names]
    baseline = frozenset(p.key for p in process_table().values())
    tokens = {key: f"CANARY{key.upper()}{secrets.token_hex(12)}" for key in ("env", "home")}
    tokens.update(world().tokens)
    pwned_path = f"/tmp/PWNED_{secrets.token_hex(8)}"
    base = Path(tempfile.mkdtemp(dir="/tmp", prefix="ag-batch-"))
    os.chmod(base, 0o755)
    listener = Listener(base)
    uids = suspect_uids(mode)
    owner = world().user if mode in USER_MODES else pwd.getpwuid(0)
    try:
        home = base / "home"
        make_home(home, owner, tokens["home"])
        out = base / "out"
        out.mkdir()
        os.chown(out, owner.pw_uid, owner.pw_gid)
        export = base / "export"
        for name, marker in zip(names, markers):
            config = {
                "marker": marker, "pwned_path": pwned_path, **listener.config, "home": str(home),
                "secret_paths": [str(home / ".ssh" / "id_rsa"), str(world().checkout / "questions" / "we_recur" / "reference" / "CANARY_SECRET.txt"),
                                 str(out / "scores.csv"), str(export / CONTROL / "we_recur.py")],
            }
            build_upload(export / name, name, config)
        os.chmod(export, 0o755)
        env = grading_environment(base, tokens, home)
        env["PYTHONPATH"] = str(world().checkout)
        python = world().user_python if mode in USER_MODES else sys.executable
        command = [python, "-m", "autograder", "batch", str(export), "--out", str(out), "--jobs", "2"]
        command = as_grading_user(mode, owner, command, env)
        before = fingerprint(world().checkout, [world().checkout])
        home_before = fingerprint(home, [home])
        leftovers_before = leftover_snapshot(uids)
        started = time.monotonic()
        timed_out = False
        with open(base / "stdout.txt", "wb") as stdout, open(base / "stderr.txt", "wb") as stderr:
            process = subprocess.Popen(
                command, cwd=world().checkout, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                start_new_session=True,
            )
            try:
                returncode = process.wait(timeout=BATCH_TIMEOUT)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                returncode = process.wait()
        seconds = time.monotonic() - started
        uids = suspect_uids(mode)
        survivors = {m: living_suspects(uids, baseline, m) for m in markers}
        results_now = {name: _read(out / "results" / f"{name}.json") for name in names}
        time.sleep(SETTLE)
        results_later = {name: _read(out / "results" / f"{name}.json") for name in names}
        later = {m: living_suspects(uids, baseline, m) for m in markers}
        leftovers = sorted(leftover_snapshot(uids) - leftovers_before)
        for marker in markers:
            kill_new_suspects(uids, baseline, marker)
        after = fingerprint(world().checkout, [world().checkout])
        home_after = fingerprint(home, [home])
        foreign = foreign_files(world().checkout)
        pwned = os.path.exists(pwned_path)
        if pwned:
            os.unlink(pwned_path)
        try:
            with open(out / "scores.csv", newline="", encoding="utf-8") as stream:
                rows = list(csv.DictReader(stream))
        except OSError:
            rows = []
        read = lambda path: path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
        stdout_text, stderr_text = read(base / "stdout.txt"), read(base / "stderr.txt")
        runs = {
            name: AttackRun(
                name=name, mode=f"batch {mode}", expected=expected_of(name), tokens=tokens, returncode=returncode,
                stdout=stdout_text, stderr=stderr_text, seconds=seconds, timed_out=timed_out,
                results_now=results_now[name], results_later=results_later[name], survivors_now=survivors[marker],
                survivors_later=later[marker], fingerprint_before=before, fingerprint_after=after, foreign=foreign,
                network_events=list(listener.events["network"]), unix_events=list(listener.events["unix"]),
                pwned_path=pwned_path, pwned=pwned, planted=[], answer_key_lines=_answer_key_lines(),
                leftovers=leftovers, home_before=home_before, home_after=home_after,
            )
            for name, marker in zip(names, markers)
        }
        return BatchRun(mode, returncode, seconds, timed_out, stdout_text, stderr_text, rows, names, runs)
    finally:
        listener.close()
        for marker in markers:
            kill_new_suspects(uids, baseline, marker)
        if KEEP:
            print(f"\n[batch {mode}] kept {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


_BATCHES = {}


@pytest.fixture
def batch_run(mode):
    if mode not in _BATCHES:
        _BATCHES.clear()
        _BATCHES[mode] = run_batch(mode)
    return _BATCHES[mode]


@pytest.mark.parametrize(("mode", "aspect"), [pytest.param(m, a, id=f"{m}-{a}") for m in BATCH_MODES for a in BATCH_ASPECTS])
def test_batch(batch_run, mode, aspect):
    """Every submission of the batch holds every aspect; ``complete``: the batch ended by
    itself with one row per submission in scores.csv."""
    if aspect == "complete":
        assert not batch_run.timed_out and batch_run.returncode == 0, batch_run.describe()
        ids = sorted(row.get("submission_id", "") for row in batch_run.rows)
        assert ids == sorted(batch_run.names), f"scores.csv rows {ids} for submissions {sorted(batch_run.names)}"
        return
    if aspect == "bounded_time":
        assert not batch_run.timed_out, batch_run.describe()
        return
    failures = []
    for name, run in batch_run.runs.items():
        try:
            CHECKS[aspect](run)
        except AssertionError as error:
            failures.append(f"{name}: {str(error)[:600]}")
    assert not failures, "\n".join(failures)
