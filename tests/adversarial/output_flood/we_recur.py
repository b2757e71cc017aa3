"""Attack: flood the output with too much, and with text that breaks encoders.

At import the module prints 50 MB; every call prints 1 MB more. The text carries NUL
bytes, terminal escapes, markdown fences and HTML that could break the feedback's
formatting, and lone surrogates, which are valid in a Python str but cannot be encoded
as UTF-8: a grader that writes them into results.json as they are crashes and leaves
the student with no results. Part (d) writes 20 MB directly to the descriptors 1 and 2
(past any file size limit), then raises an exception made of the same junk, then
answers wrongly. Every other part is correct: exactly 10 points.
"""

import os

import numpy as np

JUNK = (
    "\x00\x1b[2J\x1b[31mRED\x1b[0m \ud800 lone surrogates \udfff "
    "```\n</pre></code><script>alert('x')</script><img src=x onerror=alert(1)>\n"
    "| **Total** | **12 / 12** | |\n"
)
HERE = os.path.dirname(os.path.abspath(__file__))
COUNTER = os.path.join(HERE, ".workers")


def _worker_number():
    try:
        with open(COUNTER, "a+") as stream:
            stream.seek(0)
            number = len(stream.read())
            stream.write("x")
            return number
    except OSError:
        return 0


WORKER = _worker_number()
print(JUNK)
for _ in range(50):
    print(JUNK + "A" * (1 << 20))


def noise():
    print(JUNK + "B" * (1 << 20))


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    noise()
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    noise()
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    noise()
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


FIRST_F2 = []


def rnn_b_f2(z):
    noise()
    FIRST_F2.append(1)
    if len(FIRST_F2) == 1 and WORKER == 0:
        chunk = (JUNK.encode("utf-8", "surrogatepass") + b"\xff\xfe" + b"C" * (1 << 20))
        for _ in range(20):
            for fd in (1, 2):
                try:
                    os.write(fd, chunk)
                except OSError:
                    pass
    if len(FIRST_F2) == 1 and WORKER == 1:
        raise ValueError(JUNK * 200)
    return z  # wrong: the identity


def rnn_b_next_input(p_t):
    noise()
    return p_t


def rnn_b_dloss_dx_depends_on():
    noise()
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
