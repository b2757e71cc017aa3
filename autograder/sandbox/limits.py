"""What a submission may use: every limit on one line, with its default, unit and meaning.

The one place limits are declared (as nsjail's config declares each limit once, with
its type, default and unit). A rubric's ``limits:`` section overrides any of them by
name (validated by :mod:`autograder.rubric`: a whole number where the default is one,
a positive number always); ``python -m autograder lint`` prints the table the rubric
ends up with. Time limits on calls and on the import count CPU time, so a loaded
machine fails no honest answer; code that waits meets ``wall_factor`` times the limit
by the clock.

Standard library only: the rubric loads it without the rest of the sandbox.
"""

import dataclasses

MIB = 1024 * 1024


def _limit(default, unit, meaning):
    return dataclasses.field(default=default, metadata={"unit": unit, "meaning": meaning})


@dataclasses.dataclass(frozen=True)
class Limits:
    """How much a submission may use. The rubric's ``limits:`` section sets these."""

    call_timeout: float = _limit(0.5, "s CPU", "one call of a student's function (answers take microseconds)")
    import_timeout: float = _limit(20.0, "s CPU", "importing the student's module")
    total_timeout: float = _limit(60.0, "s clock", "all of the student's code, for the whole submission")
    wall_factor: float = _limit(4.0, "times", "a call or the import may wait this many times its CPU limit by the clock")
    max_value_bytes: int = _limit(16 * MIB, "bytes", "the largest value a call may return")
    max_printed_chars: int = _limit(4000, "characters", "of what the student's code printed, shown in feedback")
    max_submission_bytes: int = _limit(50 * MIB, "bytes", "of the submission, copied into the scratch folder")
    memory_mb: int = _limit(512, "MiB", "address space of the worker (Gradescope gives the container 768 MB)")
    cpu_seconds: int = _limit(60, "s CPU", "CPU time of the worker, over all its calls")
    processes: int = _limit(32, "processes", "of the sandbox user at once (only with a dedicated user, as root)")
    file_size_mb: int = _limit(16, "MiB", "the largest file the worker may write, its console log included")
    open_files: int = _limit(64, "descriptors", "file descriptors the worker may hold")

    def rlimits(self, *, dedicated_user):
        """The worker's resource limits, by ``resource`` constant name."""
        limits = {
            "RLIMIT_AS": self.memory_mb * MIB,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_FSIZE": self.file_size_mb * MIB,
            "RLIMIT_NOFILE": self.open_files,
            "RLIMIT_CORE": 0,
        }
        if dedicated_user:  # counts every process of the user: only meaningful for our own
            limits["RLIMIT_NPROC"] = self.processes
        return limits

    def described(self):
        """One line per limit: ``name  value unit  meaning`` (``(default)`` where it is one)."""
        lines = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            default = " (default)" if value == field.default else ""
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            lines.append(f"{field.name}: {shown} {field.metadata['unit']}{default}  {field.metadata['meaning']}")
        return lines
