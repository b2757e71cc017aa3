"""How fast the grader is, side by side with a conventional in-process grader, in one run.

    ./dev run python benchmarks/speed.py [--quick] [--rounds 5] [--submissions 200]
        [--json OUT.json] [--report OUT.md]

Everything is measured with every isolation layer on (the sandbox user, Landlock,
seccomp, the network namespace: whatever ``grade`` would use here), through the
public entry points only (``run_autograder`` in a Gradescope layout, ``python -m
autograder batch``), each run in a fresh process. Rounds are interleaved (ours, the
in-process grader, ours, ...; one mix and ``--jobs`` after another), so that a load
that comes and goes on a shared machine falls on both sides alike. Reported: the
median of the rounds, their spread (min-max), and the ratio to the comparison point.

- **latency**: ``run_autograder`` on each question's example (``questions/*/example/``) in
  a temporary ``/autograder`` layout built for that question (``source/`` a copy of the
  grader, compiled as ``setup.sh`` compiles it, its ``default.txt`` naming the question),
  against ``benchmarks/in_process.py`` run from the same copy (gradescope-utils'
  ``JSONTestRunner``, the same checks, the student's module imported in the grader's own
  process). Both must give the same score, or the benchmark stops. The target is read on
  We Recur!'s; Fall 2018 Q7's is reported beside it.
- **throughput**: ``batch`` on synthetic classes (``benchmarks/synthetic.py``: the
  ``correct`` and ``class`` mixes) at ``--jobs 1`` and ``2``, submissions per second
  including the batch's start.
- **CPU per submission**: the batch's whole process tree, sampled from /proc every
  20 ms (no cgroup is needed, none is assumed writable), split into the sandbox side
  (zygotes and the workers they reaped) and the grader side (the rest: the batch and
  its grader processes). ``getrusage(RUSAGE_CHILDREN)`` is read beside it, and the
  larger of the two is the total: it counts only descendants that were waited for
  (here it misses much of the sandbox side), the sampling misses a process's last 20 ms.
- **CPU per correct submission**: the batch's CPU beyond a batch of 2's, per submission,
  beside the in-process grader's CPU per submission when it grades the same export in
  one process (``in_process.py --cpu``).
- **peak memory**: the largest sum of RSS over the batch's process tree, at the
  submissions of a round and at ten times as many (``correct`` mix, ``--jobs 2``).
- **honest slow code**: the ``slow`` mix (pure-Python loops of 10**6 iterations per
  call) must score full marks.

No number here is asserted by the tests (``tests/test_benchmark.py`` checks that the
benchmark measures what it says, on a tiny run). The targets of issue 12 are printed
beside the figures.
"""

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import synthetic  # noqa: E402

#: Every question's latency is measured (the target is read on We Recur!'s): its name,
#: and the example that is its submission.
QUESTIONS = {
    "we_recur": REPO / "questions" / "we_recur" / "example" / "we_recur.py",
    "fall_2018_q7": REPO / "questions" / "fall_2018_q7" / "example" / "rnn_q7.py",
}
#: What the grader's zip holds (``autograder/build.py``), copied for the latency runs.
SOURCE = ("autograder", "questions", "run_autograder", "benchmarks/in_process.py")
#: (interleaved rounds, submissions per batch) of a full run and of ``--quick``.
FULL = (5, 200)
QUICK = (2, 40)
TARGETS = {
    "latency_ratio": ("run_autograder / in-process grader", "<=", 2.0),
    "class_jobs2": ("class mix, --jobs 2 (submissions/s)", ">=", 50.0),
    "correct_jobs2": ("all correct, --jobs 2 (submissions/s)", ">=", 80.0),
    "cpu_correct_ms": ("CPU per correct submission beyond the batch's start (ms)", "<=", 20.0),
    "memory_growth": ("peak memory, 10x the submissions / 1x", "<=", 1.15),
}


# -- latency -----------------------------------------------------------------------------


def gradescope_layout(folder, question="we_recur"):
    """A temporary /autograder built for ``question`` (its ``default.txt``, as ``build
    --question`` writes it): the grader's source (compiled, as setup.sh does), the
    question's example as the submission, an empty results folder."""
    source = folder / "source"
    source.mkdir(parents=True)
    for name in SOURCE:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        if (REPO / name).is_dir():  # what the zip holds: no samples, handouts or examples
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("samples", "handout", "example"))
        else:
            shutil.copy2(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(source / "autograder"), str(source / "questions"), str(source / "benchmarks")],
        check=True, stdout=subprocess.DEVNULL,
    )
    (source / "questions" / "default.txt").write_text(f"{question}\n", encoding="utf-8")
    (folder / "submission").mkdir()
    shutil.copy2(QUESTIONS[question], folder / "submission" / QUESTIONS[question].name)
    (folder / "results").mkdir()
    return folder


def run_ours(root):
    """Seconds run_autograder takes on ``root``, and the score it wrote."""
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    started = time.perf_counter()
    subprocess.run([str(root / "source" / "run_autograder")], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, json.loads(results.read_text())["score"]


def run_in_process(root):
    """Seconds the conventional grader takes on the same submission, and its score."""
    results = root / "in_process.json"
    question = (root / "source" / "questions" / "default.txt").read_text(encoding="utf-8").strip()
    started = time.perf_counter()
    program = root / "source" / "benchmarks" / "in_process.py"  # from the same compiled copy as ours
    subprocess.run([sys.executable, str(program), str(root / "submission"), str(results), question],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    return elapsed, sum(test["score"] for test in json.loads(results.read_text())["tests"])


# -- batches -----------------------------------------------------------------------------


class TreeSampler:
    """Every 20 ms, from /proc: the largest sum of RSS over the descendants of ``root``,
    and the CPU time of each: a zygote's with the workers it has reaped (the sandbox
    side), every other process's own (the grader side). A worker is a fork of its
    zygote (the same command line) whose parent is a zygote or another worker; a
    zygote's parent is a grader. A process's last 20 ms before it ends can be missed.

    Only the tree is read: its processes are found from each one's ``task/*/children``
    and each costs one read of its ``stat`` per sample (its command line is read once),
    so the sampler takes a few percent of a core, not the quarter that reading every
    process of the machine three times a sample took, on the cores it measures."""

    def __init__(self, root):
        self.root = root
        self.peak_kib = 0
        self.sandbox_ticks = {}  # zygote (pid, start) -> utime + stime + cutime + cstime
        self.grader_ticks = {}  # other (pid, start) -> utime + stime
        self._zygote = {}  # (pid, start) -> whether its command line says --zygote
        self._page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()

    @property
    def sandbox_seconds(self):
        return sum(self.sandbox_ticks.values()) / os.sysconf("SC_CLK_TCK")

    @property
    def grader_seconds(self):
        return sum(self.grader_ticks.values()) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _children(pid):
        found = []
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return found
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children", "rb") as stream:
                    found += [int(child) for child in stream.read().split()]
            except OSError:
                continue
        return found

    def _is_zygote(self, key):
        if key not in self._zygote:
            try:
                with open(f"/proc/{key[0]}/cmdline", "rb") as stream:
                    self._zygote[key] = b"--zygote" in stream.read()
            except OSError:
                return False
        return self._zygote[key]

    def _run(self):
        while not self._done.wait(0.02):
            parents, rss, times, sandboxed = {}, 0, {}, set()
            pending = [self.root]
            while pending:
                pid = pending.pop()
                try:
                    with open(f"/proc/{pid}/stat", "rb") as stream:
                        fields = stream.read().rsplit(b")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                key = (pid, int(fields[19]))  # its start time tells it from a later one with its pid
                parents[key] = int(fields[1])
                times[key] = [int(value) for value in fields[11:15]]  # utime, stime, cutime, cstime
                rss += int(fields[21]) * self._page_kib
                if self._is_zygote(key):
                    sandboxed.add(pid)
                pending += self._children(pid)
            self.peak_kib = max(self.peak_kib, rss)
            for key, ticks in times.items():
                if key[0] not in sandboxed:
                    self.grader_ticks[key] = max(self.grader_ticks.get(key, 0), sum(ticks[:2]))
                elif parents[key] not in sandboxed:  # a zygote: its workers' CPU comes with it
                    self.sandbox_ticks[key] = max(self.sandbox_ticks.get(key, 0), sum(ticks))


def run_batch(export, jobs, count):
    """One ``batch`` of ``export`` in a fresh process: its seconds, CPU seconds (all,
    sandbox side), peak tree RSS (MiB) and the totals it gave."""
    out = Path(tempfile.mkdtemp(prefix="bench-out-")) / "graded"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "autograder", "batch", str(export), "--out", str(out), "--jobs", str(jobs)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    with TreeSampler(process.pid) as sampler:
        _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"batch failed ({process.returncode}): {stderr.decode(errors='replace')[-2000:]}")
    with open(out / "scores.csv", newline="", encoding="utf-8") as stream:
        totals = [float(row["total"]) for row in csv.DictReader(stream)]
    shutil.rmtree(out.parent, ignore_errors=True)
    if len(totals) != count:
        raise RuntimeError(f"batch graded {len(totals)} of {count} submissions")
    sampled = sampler.grader_seconds + sampler.sandbox_seconds
    waited = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # Each misses some CPU (see the module's docstring): the larger is the nearer to the truth.
    cpu = max(waited, sampled)
    return {"seconds": elapsed, "cpu": cpu, "sampled_cpu": sampled, "waited_cpu": waited,
            "sandbox_cpu": sampler.sandbox_seconds, "peak_mib": sampler.peak_kib / 1024, "totals": totals}


# -- the run -----------------------------------------------------------------------------


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def latency_of(ours, theirs):
    return {"ours_s": spread(ours), "in_process_s": spread(theirs), "ratio": spread([a / b for a, b in zip(ours, theirs)])}


def measure(rounds, count, quick):
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        roots = {name: gradescope_layout(work / name / "autograder", name) for name in QUESTIONS}
        exports = {mix: synthetic.write(mix, count, work / mix) for mix in ("correct", "class")}
        start = synthetic.write("correct", 2, work / "start")
        slow = synthetic.write("slow", max(count // 20, 4), work / "slow")
        big = None if quick else synthetic.write("correct", count * 10, work / "correct-big")

        ours, theirs = {name: [] for name in roots}, {name: [] for name in roots}
        for root in roots.values():
            run_ours(root), run_in_process(root)  # the first of each warms the page cache
        for _ in range(rounds * 2):
            for name, root in roots.items():
                seconds, score = run_ours(root)
                ours[name].append(seconds)
                seconds, their_score = run_in_process(root)
                theirs[name].append(seconds)
                if score != their_score:
                    raise RuntimeError(f"the graders disagree on {name}'s example: {score} and {their_score}")

        batches = {(mix, jobs): [] for mix in exports for jobs in (1, 2)}
        starts = []  # a batch of 2: what every batch pays before its submissions
        in_process_cpu = []  # ms per correct submission of the in-process grader
        for _ in range(rounds):
            starts.append(run_batch(start, 1, 2))
            for mix, jobs in batches:
                batches[mix, jobs].append(run_batch(exports[mix], jobs, count))
            in_process_cpu.append(float(subprocess.run(
                [sys.executable, str(REPO / "benchmarks" / "in_process.py"), "--cpu", str(exports["correct"])],
                cwd=REPO, check=True, capture_output=True, text=True).stdout))
        slow_run = run_batch(slow, 2, max(count // 20, 4))
        big_run = run_batch(big, 2, count * 10) if big is not None else None
    finally:
        shutil.rmtree(work, ignore_errors=True)

    figures = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} processors, {platform.system()} {platform.release()}, Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "submissions": count,
        # The default question's is the target's; "latencies" holds every question's.
        "latency": latency_of(ours["we_recur"], theirs["we_recur"]),
        "latencies": {name: latency_of(ours[name], theirs[name]) for name in roots},
        "batches": {},
    }
    for (mix, jobs), runs in batches.items():
        figures["batches"][f"{mix}_jobs{jobs}"] = {
            "per_second": spread([count / run["seconds"] for run in runs]),
            "cpu_ms": spread([run["cpu"] / count * 1000 for run in runs]),
            "sandbox_cpu_ms": spread([run["sandbox_cpu"] / count * 1000 for run in runs]),
            "grader_cpu_ms": spread([(run["cpu"] - run["sandbox_cpu"]) / count * 1000 for run in runs]),
            "peak_mib": spread([run["peak_mib"] for run in runs]),
        }
    figures["slow"] = {"submissions": len(slow_run["totals"]), "full_marks": sum(t == synthetic.FULL_MARKS for t in slow_run["totals"]),
                       "per_second": count and len(slow_run["totals"]) / slow_run["seconds"]}
    figures["start"] = {"seconds": spread([run["seconds"] for run in starts]), "cpu_s": spread([run["cpu"] for run in starts])}
    # CPU per submission beyond the batch's start: the cost that grows with the class.
    marginal = [(run["cpu"] - first["cpu"]) / (count - 2) * 1000 for run, first in zip(batches["correct", 1], starts)]
    figures["cpu_per_correct_ms"] = spread(marginal)
    figures["in_process_cpu_per_correct_ms"] = spread(in_process_cpu)
    correct_peak = statistics.median(run["peak_mib"] for run in batches["correct", 2])
    figures["memory"] = {"peak_mib": correct_peak, "submissions": count}
    if big_run is not None:
        figures["memory"].update(big_peak_mib=big_run["peak_mib"], big_submissions=count * 10,
                                 growth=big_run["peak_mib"] / correct_peak)
    figures["targets"] = verdicts(figures)
    return figures


def verdicts(figures):
    batches = figures["batches"]
    measured = {
        "latency_ratio": figures["latency"]["ratio"]["median"],
        "class_jobs2": batches["class_jobs2"]["per_second"]["median"],
        "correct_jobs2": batches["correct_jobs2"]["per_second"]["median"],
        "cpu_correct_ms": figures["cpu_per_correct_ms"]["median"],
        "memory_growth": figures["memory"].get("growth"),
    }
    out = {}
    for key, (what, sense, target) in TARGETS.items():
        value = measured[key]
        met = None if value is None else (value <= target if sense == "<=" else value >= target)
        out[key] = {"what": what, "target": f"{sense} {target:g}", "value": value, "met": met}
    return out


def table(figures):
    """The figures as a markdown table, targets beside them."""
    def cell(s, digits=1):
        return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}-{s['max']:.{digits}f})"

    lines = [
        f"Measured {figures['date']} on {figures['machine']} (load average {figures['load_average'][0]:.2f}, "
        f"a shared machine); medians of {figures['latency']['ratio']['runs']} interleaved runs for latency and "
        f"{figures['batches']['correct_jobs1']['per_second']['runs']} per batch, min-max in brackets.",
        "",
        "| measure | ours | in-process grader | ratio |",
        "|---|---|---|---|",
        *(
            f"| run_autograder latency, {name}'s example (s) | {cell(latency['ours_s'], 3)} | "
            f"{cell(latency['in_process_s'], 3)} | {cell(latency['ratio'], 2)} |"
            for name, latency in figures["latencies"].items()
        ),
        "",
        f"| batch of {figures['submissions']} | submissions/s | CPU ms/submission (grader + sandbox) | peak tree RSS (MiB) |",
        "|---|---|---|---|",
    ]
    for key, batch in figures["batches"].items():
        mix, jobs = key.rsplit("_jobs", 1)
        lines.append(
            f"| {mix}, --jobs {jobs} | {cell(batch['per_second'])} | {cell(batch['cpu_ms'])} "
            f"({batch['grader_cpu_ms']['median']:.1f} + {batch['sandbox_cpu_ms']['median']:.1f}) | {cell(batch['peak_mib'], 0)} |"
        )
    slow = figures["slow"]
    memory = figures["memory"]
    start = figures["start"]
    lines += ["", f"A batch's start (a batch of 2): {cell(start['seconds'], 2)} s, {cell(start['cpu_s'], 2)} s of CPU; "
                  f"beyond it, a correct submission costs {cell(figures['cpu_per_correct_ms'])} ms of CPU, "
                  f"against {cell(figures['in_process_cpu_per_correct_ms'])} ms in the in-process grader "
                  "(every submission graded in one process, its start not counted)."]
    lines += ["", f"Honest slow code (10**6-iteration loops per call): {slow['full_marks']} of {slow['submissions']} "
                  f"submissions scored full marks."]
    if "growth" in memory:
        lines.append(f"Peak tree RSS: {memory['peak_mib']:.0f} MiB at {memory['submissions']} submissions, "
                     f"{memory['big_peak_mib']:.0f} MiB at {memory['big_submissions']} ({memory['growth']:.2f}x).")
    lines += ["", "| target (issue 12) | wanted | measured | met |", "|---|---|---|---|"]
    for verdict in figures["targets"].values():
        value = "-" if verdict["value"] is None else f"{verdict['value']:.2f}"
        met = "not measured" if verdict["met"] is None else ("yes" if verdict["met"] else "no")
        lines.append(f"| {verdict['what']} | {verdict['target']} | {value} | {met} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"a small run (a minute or two): {QUICK[0]} rounds of {QUICK[1]}, no 10x batch")
    parser.add_argument("--rounds", type=int, help=f"interleaved rounds of each measure (default: {FULL[0]})")
    parser.add_argument("--submissions", type=int,
                        help=f"submissions per batch, at least 3 (default: {FULL[1]}; the memory batch has 10x)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--report", type=Path, metavar="OUT.md", help="also write the markdown table")
    args = parser.parse_args(argv)
    rounds, count = QUICK if args.quick else FULL
    rounds = rounds if args.rounds is None else args.rounds
    count = count if args.submissions is None else args.submissions
    if rounds < 1 or count < 3:
        parser.error(f"--rounds must be at least 1 and --submissions at least 3, not {rounds} and {count}")
    figures = measure(rounds, count, args.quick)
    text = table(figures)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.report:
        args.report.write_text(text + "\n")


if __name__ == "__main__":
    main()
