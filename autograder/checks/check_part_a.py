"""Part (a): the shapes of RNN-A's weights, W_ss, W_sx and W_o."""

from gradescope_utils.autograder_utils.decorators import number, tags, visibility, weight

from autograder.checks import check
from autograder.checks.shapes import grade_shapes
from autograder.checks.oracle import answer_key

HINTS = {
    "W_ss": "W_ss multiplies s_{t-1} (s_dim × 1), and the product is part of z1_t (s_dim × 1).",
    "W_sx": "W_sx multiplies x_t (x_dim × 1), and the product is added to z1_t (s_dim × 1).",
    "W_o": "W_o multiplies s_t (s_dim × 1) and produces z2_t (p_dim × 1).",
}
OTHER_SIZES = ({"s_dim": 3, "x_dim": 4, "p_dim": 5}, {"s_dim": 1, "x_dim": 3, "p_dim": 2}, {"s_dim": 4, "x_dim": 2, "p_dim": 3})


@check("a.exam_shapes", "weight shapes at the exam's sizes (s = x = p = 2)")
@weight(2)
@visibility("visible")
@number("1.1")
@tags("shapes", "rnn-a")
def check_exam_shapes(student, feedback):
    grade_shapes(student, "rnn_a_shapes", answer_key.rnn_a_shapes, HINTS, {}, partial_credit=True, feedback=feedback)


@check("a.other_sizes", "weight shapes generalize to other sizes (s=3, x=4, p=5 and more)")
@weight(0)
@number("1.2")
@tags("shapes", "rnn-a", "generalization")
def check_other_sizes(student, feedback):
    for sizes in OTHER_SIZES:
        grade_shapes(student, "rnn_a_shapes", answer_key.rnn_a_shapes, HINTS, sizes, partial_credit=False, feedback=feedback)
