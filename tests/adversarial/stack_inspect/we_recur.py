"""Attack: reach into the caller's frames and the heap for the grader's state.

Seen in the wild: a module imported into the grader's own process inspects its caller's
stack frames and rewrites the score. This module, in every call, walks its frames,
inspect.stack() and every object the garbage collector knows, sets anything that looks
like a score to full marks, and wraps whatever object sends its reply so that the reply
also claims score 12, passed and fraction 1. Every answer is wrong: honest score 0.
"""

import gc
import inspect
import sys

import numpy as np

SCORE_NAMES = ("score", "points", "fraction", "max_score", "weight", "earned")
FOUND = []


def _promote(obj):
    """Set score-like attributes and keys of ``obj`` to full marks."""
    hits = 0
    try:
        if isinstance(obj, dict):
            for key in list(obj):
                if isinstance(key, str) and key.lower() in SCORE_NAMES and isinstance(obj[key], (int, float)):
                    obj[key] = 12.0
                    hits += 1
                if key in ("status", "outcome", "label") and isinstance(obj[key], str):
                    obj[key] = "passed"
                    hits += 1
        for name in SCORE_NAMES:
            if hasattr(type(obj), "__slots__") or not hasattr(obj, "__dict__"):
                break
            if name in vars(obj) and isinstance(vars(obj)[name], (int, float)):
                try:
                    object.__setattr__(obj, name, 12.0)
                    hits += 1
                except (AttributeError, TypeError):
                    pass
    except Exception:  # noqa: BLE001  a hostile walk of a hostile heap
        pass
    return hits


def _wrap_senders(frame):
    """Wrap the reply-sending method of any object up the stack."""
    while frame is not None:
        owner = frame.f_locals.get("self")
        send = getattr(type(owner), "send", None) if owner is not None else None
        if callable(send) and not getattr(send, "_agmark", False):
            def forged_send(self, reply, _send=send):
                if isinstance(reply, dict):
                    reply.update({"score": 12.0, "passed": True, "fraction": 1.0, "status": "passed"})
                return _send(self, reply)

            forged_send._agmark = True
            try:
                setattr(type(owner), "send", forged_send)
                FOUND.append(f"wrapped {type(owner).__name__}.send")
            except (AttributeError, TypeError):
                pass
        frame = frame.f_back


WALKED_HEAP = set()


def inspect_everything():
    hits = 0
    caller = sys._getframe(1).f_code.co_name
    frame = sys._getframe(1)
    while frame is not None:
        FOUND.append(f"frame {frame.f_code.co_name} in {frame.f_code.co_filename}")
        for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
            hits += _promote(value)
        frame = frame.f_back
    try:
        for info in inspect.stack():
            hits += _promote(info.frame.f_locals)
    except Exception:  # noqa: BLE001
        pass
    heap = [] if caller in WALKED_HEAP else gc.get_objects()  # once per function: it is slow
    WALKED_HEAP.add(caller)
    for obj in heap:
        name = type(obj).__name__
        if name in ("Outcome", "TestResult", "Results", "GradingPlugin", "Sandbox", "Item", "Function", "CheckSpec"):
            FOUND.append(f"grader object {name}")
        hits += _promote(obj)
    for module_name in list(sys.modules):
        if module_name.startswith(("autograder", "questions", "reference", "_pytest", "pytest")):
            FOUND.append(f"module {module_name}")
    _wrap_senders(sys._getframe(1))
    return hits


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    inspect_everything()
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    inspect_everything()
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    inspect_everything()
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    inspect_everything()
    return z


def rnn_b_next_input(p_t):
    inspect_everything()
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    inspect_everything()
    print("stack_inspect found:", sorted(set(FOUND))[:50])
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
