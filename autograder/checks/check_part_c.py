"""Part (c): the shapes of RNN-B's weights, W_ssx and W_ox."""

from gradescope_utils.autograder_utils.decorators import number, tags, visibility, weight

from autograder.checks import check
from autograder.checks.shapes import grade_shapes
from autograder.checks.oracle import answer_key

HINTS = {
    "W_ssx": "W_ssx multiplies the stacked [s_{t-1}; x_t] ((s_dim + x_dim) × 1) and produces z1_t (s_dim × 1).",
    "W_ox": "W_ox multiplies the stacked [s_t; x_t] ((s_dim + x_dim) × 1) and produces z2_t (p_dim × 1).",
}
OTHER_SIZES = ({"s_dim": 3, "x_dim": 4, "p_dim": 5}, {"s_dim": 1, "x_dim": 3, "p_dim": 2}, {"s_dim": 4, "x_dim": 2, "p_dim": 3})


@check("c.exam_shapes", "weight shapes at the exam's sizes (s = x = p = 2)")
@weight(2)
@visibility("visible")
@number("3.1")
@tags("shapes", "rnn-b")
def check_exam_shapes(student, feedback):
    grade_shapes(student, "rnn_b_shapes", answer_key.rnn_b_shapes, HINTS, {}, partial_credit=True, feedback=feedback)


@check("c.other_sizes", "weight shapes generalize to other sizes (s=3, x=4, p=5 and more)")
@weight(0)
@number("3.2")
@tags("shapes", "rnn-b", "generalization")
def check_other_sizes(student, feedback):
    for sizes in OTHER_SIZES:
        grade_shapes(student, "rnn_b_shapes", answer_key.rnn_b_shapes, HINTS, sizes, partial_credit=False, feedback=feedback)
