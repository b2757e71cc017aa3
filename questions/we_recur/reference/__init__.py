"""Reference implementation of "We Recur!" (MIT 6.036 Fall 2019 final, question 7).

The single source of truth for every expected value the grader compares against. It knows
nothing of grading and imports only numpy and the standard library.

Conventions: vectors are float64 columns ``(dim, 1)``; a sequence is a list of them, one
per time step t = 1..n (``xs[t - 1]`` is ``x_t``); biases are zero.

Modules:
    activations: ``ACTIVATIONS``, ``activate(name, z)``, the stable ``softmax(z)`` and
        ``activation_vjp(name, z, upstream)``.
    losses: ``"squared"`` and ``"nll"`` losses, ``loss_value``, ``dloss_dz2``.
    rnn_a: ``RNNA`` (the course's RNN: forward, bptt, dJ_dx, per-step dloss_t_dx_t for
        part (b)) and its ``Gradients``.
    rnn_b: ``RNNB`` (the exam's modified RNN: forward, bptt, dJ_dx, dloss_t_dx_t for
        part (f), ``generate`` for parts (d)-(e)), ``generate_together`` (several networks
        in lockstep), ``Generation``, next-input rules.
    dependence: part (f) derived by perturbing RNN-B's weights (``derive_dependence``).
    answer_key: one function per graded part, computed from the above.
    recurrent: ``RecurrentNetwork``, the loop over time and BPTT entry both networks share.
    sequences: ``ForwardTrace`` and the column-vector conventions shared by both networks.
    weights: read-only weight matrices and size checks.

``Gradients`` at package level is RNN-A's (fields W_ss, W_sx, W_o, xs, s0); RNN-B's
(W_ssx, W_ox, xs, s0) is ``RNNBGradients`` here and ``rnn_b.Gradients`` in its module.
"""

from . import activations, answer_key, dependence, losses, recurrent, rnn_a, rnn_b, sequences
from .activations import ACTIVATIONS, activate, activation_vjp, softmax
from .dependence import DependenceReport, DependenceSetting, derive_dependence, measure_dependence
from .losses import LOSSES, dloss_dz2, loss_value, sequence_loss
from .recurrent import RecurrentNetwork
from .rnn_a import RNNA, Gradients
from .rnn_b import (
    NEXT_INPUT_RULES,
    RNNB,
    Blocks,
    Generation,
    generate_together,
    next_input_is_output,
    next_input_one_hot_argmax,
)
from .rnn_b import Gradients as RNNBGradients
from .sequences import ForwardTrace

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "NEXT_INPUT_RULES",
    "Blocks",
    "DependenceReport",
    "DependenceSetting",
    "ForwardTrace",
    "Generation",
    "Gradients",
    "RNNA",
    "RNNB",
    "RNNBGradients",
    "RecurrentNetwork",
    "activate",
    "activation_vjp",
    "activations",
    "answer_key",
    "dependence",
    "derive_dependence",
    "generate_together",
    "dloss_dz2",
    "loss_value",
    "losses",
    "measure_dependence",
    "next_input_is_output",
    "next_input_one_hot_argmax",
    "recurrent",
    "rnn_a",
    "rnn_b",
    "sequence_loss",
    "sequences",
    "softmax",
]
