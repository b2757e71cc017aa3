"""How fast the grader is: batch throughput, run_autograder latency, peak memory, and where
the time of one submission goes.

    ./dev run python benchmarks/batch_throughput.py [--submissions 240] [--repeats 3]
        [--jobs 1 2] [--with-infinite-loops] [--growth 3] [--json OUT]

It writes N synthetic submissions of mixed quality into a temporary folder (correct;
each of (a)-(f) wrong; every function raising; a syntax error; with
``--with-infinite-loops``, also (b) looping forever), then measures:

- batch throughput: ``python -m autograder batch`` on them with each ``--jobs``,
  submissions per second, the median of ``--repeats`` runs, each in a fresh process;
  and what a batch of 2 submissions takes, the cost every batch pays before grading;
- peak RSS of a batch: the batch process itself (``RUSAGE_SELF``), the largest of its
  descendants (grader processes, zygotes, workers) and the whole process tree; and
  once more with ``--growth`` times as many submissions, to show it does not grow;
- run_autograder's latency for one correct submission, the median of 5 runs, in a
  temporary AUTOGRADER_ROOT with AUTOGRADER_PYTHON set to this interpreter;
- a breakdown of one submission graded in a warm grader process (what a batch does
  after its first submission): sandbox start, import, calls into the worker, the
  checks' own work, the sandbox's close, pytest's hooks around the checks; the CPU
  a warm grader process and its workers spend per submission of the mix; the cost of
  one exchange with the worker; and the one-off costs a fresh worker would pay
  (interpreter start, numpy import).

No number here is asserted by the tests: speed is measured only by this script.
"""

import argparse
import functools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORRECT = {
    "rnn_a_shapes": 'def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):\n    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}\n',
    "rnn_a_dloss_dx": "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n    return W_sx.T @ W_o.T @ dloss_dz2\n",
    "rnn_b_shapes": 'def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):\n    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}\n',
    "rnn_b_f2": "def rnn_b_f2(z):\n    e = np.exp(z - np.max(z, axis=0, keepdims=True))\n    return e / np.sum(e, axis=0, keepdims=True)\n",
    "rnn_b_next_input": "def rnn_b_next_input(p_t):\n    return p_t\n",
    "rnn_b_dloss_dx_depends_on": 'def rnn_b_dloss_dx_depends_on():\n    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}\n',
}
WRONG = {
    "a wrong": ("rnn_a_shapes", 'def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):\n    return {"W_ss": (s_dim, s_dim), "W_sx": (x_dim, s_dim), "W_o": (s_dim, p_dim)}\n'),
    "b wrong": ("rnn_a_dloss_dx", "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n    return W_sx @ W_o @ dloss_dz2\n"),
    "c wrong": ("rnn_b_shapes", 'def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):\n    return {"W_ssx": (s_dim, s_dim), "W_ox": (p_dim, s_dim)}\n'),
    "d wrong": ("rnn_b_f2", "def rnn_b_f2(z):\n    return 1 / (1 + np.exp(-z))\n"),
    "e wrong": ("rnn_b_next_input", "def rnn_b_next_input(p_t):\n    return np.zeros_like(p_t)\n"),
    "f wrong": ("rnn_b_dloss_dx_depends_on", 'def rnn_b_dloss_dx_depends_on():\n    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": True}\n'),
}
LOOP = ("rnn_a_dloss_dx", "def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):\n    while True:\n        pass\n")


def module_text(functions):
    return "import numpy as np\n\n\n" + "\n\n".join(functions.values())


def kinds(with_loops):
    """Every kind of synthetic submission, as ``(name, source)``."""
    out = [("correct", module_text(CORRECT))]
    for name, (function, source) in WRONG.items():
        out.append((name, module_text({**CORRECT, function: source})))
    raising = {name: f"def {name}(*args, **kwargs):\n    raise RuntimeError('not done')\n" for name in CORRECT}
    out.append(("raises", module_text(raising)))
    out.append(("syntax error", module_text(CORRECT).replace("def rnn_b_f2(z):", "def rnn_b_f2(z)")))
    if with_loops:
        out.append(("infinite loop", module_text({**CORRECT, LOOP[0]: LOOP[1]})))
    return out


def write_submissions(folder, count, with_loops):
    """``count`` submission folders cycling through the kinds; returns the kinds' names."""
    variety = kinds(with_loops)
    for index in range(count):
        name, source = variety[index % len(variety)]
        student = folder / f"student_{index:05d}"
        student.mkdir(parents=True)
        (student / "we_recur.py").write_text(f'"""Synthetic submission: {name}."""\n' + source)
    return [name for name, _ in variety]


# -- measurements ------------------------------------------------------------------------------


def run_batch_once(export, jobs):
    """One batch in a fresh process; returns its seconds and peak RSS (MiB)."""
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--one-batch", str(export), str(out / "batch"), str(jobs)],
            capture_output=True, text=True, check=True, cwd=REPO,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def one_batch(export, out, jobs):
    """In the measuring process: grade the export, print seconds and peak RSS as JSON.

    ``getrusage`` gives this process's peak (RUSAGE_SELF) and that of its waited-for
    children (RUSAGE_CHILDREN); the grader processes are children of multiprocessing's
    fork server, not of this process, so a sampler also reads every descendant's peak
    (``VmHWM``) and the sum of their current RSS from /proc while the batch runs.
    """
    from autograder.batch import run_batch

    sampler = TreeSampler(os.getpid())
    sampler.start()
    started = time.perf_counter()
    report = run_batch(export, out, jobs=jobs, progress_stream=open(os.devnull, "w"))
    seconds = time.perf_counter() - started
    sampler.stop()
    mib = 1024.0  # ru_maxrss and /proc's kB are KiB
    print(json.dumps({
        "seconds": seconds,
        "submissions": len(report.rows),
        "statuses": dict(report.summary.statuses),
        "self_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / mib,
        "children_rss_mib": max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, sampler.largest_kib) / mib,
        "tree_rss_mib": sampler.total_kib / mib,
    }))


class TreeSampler:
    """Every 20 ms: the descendants of ``root`` and their memory, from /proc."""

    def __init__(self, root):
        import threading

        self.root = root
        self.largest_kib = 0  # the largest peak (VmHWM) of one descendant
        self.total_kib = 0  # the largest sum of RSS over the whole tree, root included
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._done.set()
        self._thread.join()

    def _run(self):
        while not self._done.wait(0.02):
            parents, memory = {}, {}
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    status = Path(f"/proc/{entry.name}/status").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                pid = int(entry.name)
                parents[pid] = int(fields.get("PPid", "0"))
                memory[pid] = (_kib(fields.get("VmRSS")), _kib(fields.get("VmHWM")))
            tree = {self.root}
            grew = True
            while grew:
                found = {pid for pid, parent in parents.items() if parent in tree} - tree
                grew = bool(found)
                tree |= found
            self.total_kib = max(self.total_kib, sum(memory.get(pid, (0, 0))[0] for pid in tree))
            descendants = [memory[pid][1] for pid in tree - {self.root} if pid in memory]
            self.largest_kib = max([self.largest_kib, *descendants])


def _kib(field):
    return int(field.split()[0]) if field else 0


def run_autograder_latency(runs=5):
    """Median wall time of run_autograder on one correct submission, in seconds."""
    times = []
    for _ in range(runs):
        root = Path(tempfile.mkdtemp(prefix="bench-gradescope-"))
        try:
            (root / "submission").mkdir()
            (root / "submission" / "we_recur.py").write_text(module_text(CORRECT))
            env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
            env.update({"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable})
            started = time.perf_counter()
            subprocess.run([str(REPO / "run_autograder")], env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - started)
            results = json.loads((root / "results" / "results.json").read_text())
            assert results["score"] == 12, results["score"]
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return statistics.median(times)


def command_seconds(command, runs=5):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


class Stopwatch:
    """Wraps methods to add up the time spent in them, by label."""

    def __init__(self):
        self.seconds = {}
        self.counts = {}
        self._undo = []

    def wrap(self, owner, name, label):
        original = getattr(owner, name)

        @functools.wraps(original)  # keeps a check's id and signature for pytest
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.counts[label] = self.counts.get(label, 0) + 1

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def reset(self):
        self.seconds, self.counts = {}, {}

    def undo(self):
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def breakdown(repeats=20):
    """Median milliseconds per phase of one correct submission in a warm grader process,
    graded as a batch's grader grades it (:func:`autograder.grading.grade_each`)."""
    from autograder import checks, grading
    from autograder.sandbox.session import Sandbox

    rubric = grading.load()
    folder = Path(tempfile.mkdtemp(prefix="bench-one-"))
    (folder / "we_recur.py").write_text(module_text(CORRECT))
    watch = Stopwatch()
    watch.wrap(Sandbox, "_start_worker", "start")
    watch.wrap(Sandbox, "import_module", "import")
    watch.wrap(Sandbox, "call_each", "calls")  # Sandbox.call goes through call_each: one exchange each
    watch.wrap(Sandbox, "close", "close")
    watch.wrap(grading, "build_results", "results")
    # The check functions themselves (pytest collects them from their modules).
    for spec in checks.discover().values():
        module = sys.modules[spec.function.__module__]
        for name, value in list(vars(module).items()):
            if value is spec.function:
                watch.wrap(module, name, "inside checks")
    rows = []
    clock = [time.perf_counter()]

    def done(index, graded):
        assert graded.results.score == 12, graded.results.score
        now = time.perf_counter()
        if index > 0:  # the first one starts the zygote and warms the imports
            rows.append((now - clock[0], dict(watch.seconds), dict(watch.counts)))
        watch.reset()
        clock[0] = now

    grading.grade_each(((index, folder) for index in range(repeats + 1)), rubric, done)
    watch.undo()
    shutil.rmtree(folder, ignore_errors=True)

    def median(label):
        return statistics.median(row[1].get(label, 0.0) for row in rows) * 1000

    total = statistics.median(row[0] for row in rows) * 1000
    calls_count = statistics.median(row[2].get("calls", 0) for row in rows)
    start, importing, calls, closing = median("start"), median("import"), median("calls"), median("close")
    inside, results = median("inside checks"), median("results")
    return {
        "total_ms": total,
        "phases_ms": {
            "worker start (fork from the zygote)": start,
            "importing the student's module (one exchange)": importing - start,
            f"calls into the worker ({calls_count:g} exchanges, student code included)": calls,
            "the checks' own work (reference answers, comparisons)": inside - calls,
            "sandbox close (kill everything, remove the scratch copy)": closing,
            "building the results": results,
            "pytest around the checks (15 items' hooks and reports), locate, the rest": (
                total - importing - inside - closing - results
            ),
        },
        "calls": calls_count,
    }


def cpu_per_submission(count=180):
    """Milliseconds per submission of a warm grader process grading ``count`` synthetic
    submissions one after another, as a batch's grader does: ``(wall, grader CPU,
    zygote and workers CPU)``."""
    from autograder import grading
    from autograder.sandbox.zygote import Zygote

    rubric = grading.load()
    folder = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    write_submissions(folder, count, False)
    submissions = sorted(folder.iterdir())
    scores, marks = [], {}
    ticks = os.sysconf("SC_CLK_TCK")

    def zygote_cpu():  # its own time and that of the workers it reaped
        (zygote,) = [z for key, z in Zygote._shared.items() if key[0] == os.getpid()]
        fields = Path(f"/proc/{zygote.process.pid}/stat").read_text().rpartition(")")[2].split()
        return sum(int(value) for value in fields[11:15]) / ticks

    def done(index, graded):
        scores.append(graded.results.score)
        if index == 0:  # warm: the zygote is up; measure from here
            marks["start"] = time.perf_counter(), time.process_time(), zygote_cpu()

    try:
        grading.grade_each(enumerate([submissions[0], *submissions]), rubric, done)
        wall, cpu, workers = time.perf_counter(), time.process_time(), zygote_cpu()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    wall, cpu, workers = (end - begin for end, begin in zip((wall, cpu, workers), marks["start"]))
    return {"wall_ms": 1000 * wall / count, "grader_cpu_ms": 1000 * cpu / count,
            "worker_cpu_ms": 1000 * workers / count, "total_score": sum(scores[1:])}


def exchange_cost(calls=400):
    """Milliseconds of one exchange with the worker (a trivial call): wall and CPU of both sides."""
    from autograder.sandbox.session import Sandbox
    from autograder.sandbox.zygote import Zygote

    folder = Path(tempfile.mkdtemp(prefix="bench-exchange-"))
    (folder / "m.py").write_text("def f(x):\n    return x\n")
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        with Sandbox(folder / "m.py") as sandbox:
            sandbox.import_module()
            sandbox.call("f", 1)
            worker = sandbox._process.pid

            def worker_cpu():
                fields = Path(f"/proc/{worker}/stat").read_text().rpartition(")")[2].split()
                return (int(fields[11]) + int(fields[12])) / ticks

            wall, cpu, theirs = time.perf_counter(), time.process_time(), worker_cpu()
            for _ in range(calls):
                sandbox.call("f", np.zeros((2, 1)))
            wall, cpu, theirs = time.perf_counter() - wall, time.process_time() - cpu, worker_cpu() - theirs
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"wall_ms": 1000 * wall / calls, "cpu_ms": 1000 * (cpu + theirs) / calls}


def report(args):
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        variety = write_submissions(folder, args.submissions, args.with_infinite_loops)
        print(f"{args.submissions} synthetic submissions cycling through: {', '.join(variety)}", flush=True)
        results = {"submissions": args.submissions, "kinds": variety, "cpus": len(os.sched_getaffinity(0)), "batch": {}}
        # Every --jobs once per round, rounds repeated: a slow spell of a shared machine
        # then slows every configuration alike instead of one of them.
        runs = {jobs: [] for jobs in args.jobs}
        for round_number in range(1, args.repeats + 1):
            for jobs in args.jobs:
                run = run_batch_once(folder, jobs)
                runs[jobs].append(run)
                print(f"  round {round_number}: --jobs {jobs}: {run['submissions'] / run['seconds']:.1f}/s", flush=True)
        for jobs, done in runs.items():
            rates = [run["submissions"] / run["seconds"] for run in done]
            results["batch"][jobs] = {
                "subs_per_s_median": statistics.median(rates),
                "subs_per_s_all": rates,
                "seconds_median": statistics.median(run["seconds"] for run in done),
                "self_rss_mib": max(run["self_rss_mib"] for run in done),
                "children_rss_mib": max(run["children_rss_mib"] for run in done),
                "tree_rss_mib": max(run["tree_rss_mib"] for run in done),
                "statuses": done[0]["statuses"],
            }
        # What a batch costs before its first submission: grader processes, pytest, the zygote.
        small = Path(tempfile.mkdtemp(prefix="bench-export-"))
        try:
            write_submissions(small, 2, False)
            results["start_s"] = statistics.median(run_batch_once(small, max(args.jobs))["seconds"] for _ in range(3))
        finally:
            shutil.rmtree(small, ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.growth > 1:  # does memory grow with the number of submissions?
        folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
        try:
            count = args.submissions * args.growth
            write_submissions(folder, count, args.with_infinite_loops)
            run = run_batch_once(folder, max(args.jobs))
            results["growth"] = {"submissions": count, "jobs": max(args.jobs), **run}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    results["run_autograder_s"] = run_autograder_latency()
    results["python_start_s"] = command_seconds([sys.executable, "-c", "pass"])
    results["python_numpy_start_s"] = command_seconds([sys.executable, "-c", "import numpy"])
    results["breakdown"] = breakdown()
    results["cpu"] = cpu_per_submission()
    results["exchange"] = exchange_cost()
    print()
    print(markdown(results, args))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


def markdown(r, args):
    lines = [
        f"## Grader throughput ({r['submissions']} submissions, {args.repeats} runs each, {r['cpus']} CPUs)",
        "",
        "| --jobs | submissions/s (median) | all runs | seconds (median) | peak RSS: batch process | largest descendant | whole tree |",
        "|---|---|---|---|---|---|---|",
    ]
    for jobs, b in r["batch"].items():
        lines.append(
            f"| {jobs} | {b['subs_per_s_median']:.1f} | {', '.join(f'{rate:.1f}' for rate in b['subs_per_s_all'])} "
            f"| {b['seconds_median']:.2f} | {b['self_rss_mib']:.0f} MiB "
            f"| {b['children_rss_mib']:.0f} MiB | {b['tree_rss_mib']:.0f} MiB |"
        )
    if "growth" in r:
        g = r["growth"]
        b = r["batch"][g["jobs"]]
        lines += [
            "",
            f"Memory with {g['submissions']} submissions instead of {r['submissions']} (--jobs {g['jobs']}): largest "
            f"descendant {g['children_rss_mib']:.0f} MiB (was {b['children_rss_mib']:.0f}), whole tree "
            f"{g['tree_rss_mib']:.0f} MiB (was {b['tree_rss_mib']:.0f}), batch process {g['self_rss_mib']:.0f} MiB "
            f"(was {b['self_rss_mib']:.0f}); {g['submissions'] / g['seconds']:.1f} submissions/s.",
        ]
    lines += [
        "",
        f"A batch of 2 submissions takes {r['start_s']:.2f} s (--jobs {max(r['batch'])}, median of 3): what every "
        "batch pays before grading (grader processes, pytest, the zygote's numpy import).",
    ]
    first = next(iter(r["batch"].values()))
    lines += ["", "Statuses: " + ", ".join(f"{count} {status}" for status, count in first["statuses"].items()), ""]
    lines += [
        f"run_autograder, one correct submission (median of 5): {r['run_autograder_s'] * 1000:.0f} ms",
        f"Interpreter start: {r['python_start_s'] * 1000:.0f} ms; with `import numpy`: "
        f"{r['python_numpy_start_s'] * 1000:.0f} ms (paid once per grader process by the zygote, "
        "no longer per submission)",
        "",
        f"## One correct submission in a warm grader process: {r['breakdown']['total_ms']:.1f} ms",
        "",
        "| phase | ms |",
        "|---|---|",
    ]
    lines += [f"| {phase} | {ms:.1f} |" for phase, ms in r["breakdown"]["phases_ms"].items()]
    exchange = r["exchange"]
    lines += [
        "",
        "## CPU per submission (the synthetic mix, one warm grader process)",
        "",
        "| wall ms | grader CPU ms | zygote + workers CPU ms | total CPU ms | CPU-bound limit on 2 cores |",
        "|---|---|---|---|---|",
    ]
    row = r["cpu"]
    total = row["grader_cpu_ms"] + row["worker_cpu_ms"]
    lines.append(
        f"| {row['wall_ms']:.1f} | {row['grader_cpu_ms']:.1f} | {row['worker_cpu_ms']:.1f} | {total:.1f} | {2000 / total:.0f}/s |"
    )
    lines += [
        "",
        f"One exchange with the worker (a trivial call): {exchange['wall_ms']:.2f} ms wall, "
        f"{exchange['cpu_ms']:.2f} ms CPU (grader and worker).",
    ]
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one-batch":
        one_batch(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=240, help="synthetic submissions (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="batch runs per --jobs value (default: %(default)s)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="grader processes to try (default: 1 2)")
    parser.add_argument("--with-infinite-loops", action="store_true", help="also submissions whose (b) never returns")
    parser.add_argument(
        "--growth", type=int, default=3, metavar="K",
        help="also grade K times as many submissions once, to see whether memory grows with them (1: skip; default: %(default)s)",
    )
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    report(parser.parse_args())


if __name__ == "__main__":
    main()
