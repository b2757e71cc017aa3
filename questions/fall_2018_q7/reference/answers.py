"""What the checks of Fall 2018 Q7 compare with: the reference's answers as plain data.

Every function takes numpy arrays and numbers and returns plain values (float64 arrays,
bools, tuples of ints, dicts of arrays), computed by :mod:`.networks`; nothing keeps
state between calls. The grader hands this module to each check as its ``answers``
fixture; the student kit hands a replay of the answers recorded from it, under the same
names (discrete answers sealed).

======  ==========================  =============================================
part    function                    what it answers
======  ==========================  =============================================
(a)     ``forward``                 the output sequence ``(T, v)``, f1 = f2 = identity
(a)     ``integer_outputs``         the same for integer weights and inputs, as ints
(a)     ``forward_lookalikes``      recognised wrong forward passes (mistake key: ``(T, v)``)
(b.i)   ``jody_is_right``           whether the linear RNN's map is Y = W X
(b.ii)  ``jody_matrix``             Jody's W ``(n, n)``
(b.ii)  ``jody_matrix_lookalikes``  recognised wrong matrices (mistake key: ``(n, n)``)
(c.i)   ``pat_same_as_rnn``         whether Pat's model represents the same machines
======  ==========================  =============================================
"""

from __future__ import annotations

import numpy as np

from .lookalikes import forward_lookalikes, jody_matrix_lookalikes
from .networks import and_witness, block_separated, interaction, relu, run, unrolled_matrix

__all__ = [
    "forward",
    "forward_lookalikes",
    "integer_outputs",
    "jody_is_right",
    "jody_matrix",
    "jody_matrix_lookalikes",
    "pat_same_as_rnn",
]

#: Random linear RNNs on which :func:`jody_is_right` tests the claim, and its seed.
_CLAIM_TRIALS = 20
_CLAIM_SEED = 2018


def forward(W_sx: np.ndarray, W_ss: np.ndarray, W_o: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Outputs ``(T, v)`` of the standard RNN with f1 = f2 = identity and s_0 = 0.

    Args:
        W_sx: ``(m, l)``. W_ss: ``(m, m)``. W_o: ``(v, m)``. xs: ``(T, l)``, row t = x_t.
    """
    return run(W_sx, W_ss, W_o, xs)[1]


def integer_outputs(W_sx: np.ndarray, W_ss: np.ndarray, W_o: np.ndarray, xs: np.ndarray) -> tuple[int, ...]:
    """:func:`forward`'s outputs row by row as ints, for integer weights and inputs (whose
    outputs are integers exactly): a discrete answer, which the kit keeps sealed."""
    outputs = forward(W_sx, W_ss, W_o, xs).ravel()
    if not np.array_equal(outputs, np.round(outputs)):
        raise ValueError("integer_outputs needs integer weights and inputs")
    return tuple(int(y) for y in outputs)


def jody_matrix(W_sx: np.ndarray, W_ss: np.ndarray, W_o: np.ndarray, n: int) -> np.ndarray:
    """Jody's W ``(n, n)``, with Y = W X for the length-n sequence X of 1-dimensional
    inputs. W_sx: ``(m, 1)``, W_ss: ``(m, m)``, W_o: ``(1, m)``."""
    return unrolled_matrix(W_sx, W_ss, W_o, int(n))


def jody_is_right() -> bool:
    """Whether, without f1 and f2 and with s_0 = 0, the map from a length-3 sequence of
    1-dimensional inputs to its outputs is Y = W X for some 3x3 W: derived by running the
    forward pass on random networks and inputs and testing that it is linear (the sum of
    two inputs' outputs and a multiple's), not typed in."""
    rng = np.random.default_rng(_CLAIM_SEED)
    for _ in range(_CLAIM_TRIALS):
        m = int(rng.integers(1, 5))
        W_sx, W_ss, W_o = rng.standard_normal((m, 1)), rng.standard_normal((m, m)), rng.standard_normal((1, m))
        X1, X2, c = rng.standard_normal((3, 1)), rng.standard_normal((3, 1)), float(rng.standard_normal())
        if not np.allclose(forward(W_sx, W_ss, W_o, X1 + c * X2), forward(W_sx, W_ss, W_o, X1) + c * forward(W_sx, W_ss, W_o, X2)):
            return False
    return True


def pat_same_as_rnn() -> bool:
    """Whether Pat's block-separated model represents the same state machines as a
    standard RNN, derived, not typed in: the witness RNN (:func:`.networks.and_witness`,
    ReLU f1) outputs 1 exactly when x^(1) and x^(2) are both 1, so its interaction
    y(1, 1) - y(1, 0) - y(0, 1) + y(0, 0) is 1; in Pat's model each state group is a
    function of its own input entry's history, so with f2 = identity every output is a
    sum of one function per entry, whose interaction is 0. Pat's model matches the
    witness only if some random Pat model (any k, same f1) has a nonzero interaction."""
    rng = np.random.default_rng(_CLAIM_SEED)
    witness = interaction(*and_witness())
    if np.isclose(witness, 0.0):
        return True  # the witness would not separate the models
    for _ in range(_CLAIM_TRIALS):
        k = int(rng.integers(1, 5))
        W_sx, W_ss = block_separated([rng.standard_normal((k, 1)) for _ in range(2)],
                                     [rng.standard_normal((k, k)) for _ in range(2)])
        if not np.isclose(interaction(W_sx, W_ss, rng.standard_normal((1, 2 * k)), relu), 0.0):
            return True
    return False
