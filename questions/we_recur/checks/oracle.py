"""What the checks know of the right answers: the only door from the checks to the question's ``reference``.

In the grader this module re-exports the reference implementation, so every check
compares with values computed by the reference itself. The student kit
(``python -m autograder student-kit``) ships a different module under this name, a
replay of answers recorded by running the visible checks against the reference
(``autograder/kit/replay_oracle.py``), so the kit holds no reference implementation.
Checks therefore import only these names, and only from here.
"""

from ..reference import answer_key
from ..reference.rnn_b import NEXT_INPUT_RULES, RNNB, generate_together

__all__ = ["NEXT_INPUT_RULES", "RNNB", "answer_key", "generate_together"]
