"""Part (c): the shapes of RNN-B's weights, W_ssx and W_ox."""


from autograder.checks import check
from autograder.checks.shapes import grade_shapes, grade_shapes_each

# What each matrix's shape follows from, never the shape itself.
HINTS = {
    "W_ssx": "Find, in RNN-B's equations, the vector W_ssx multiplies and the vector it produces.",
    "W_ox": "Find, in RNN-B's equations, the vector W_ox multiplies and the vector it produces.",
}
OTHER_SIZES = ({"s_dim": 3, "x_dim": 4, "p_dim": 5}, {"s_dim": 1, "x_dim": 3, "p_dim": 2}, {"s_dim": 4, "x_dim": 2, "p_dim": 3})


@check("c.exam_shapes", "weight shapes at the exam's sizes (s_dim = x_dim = p_dim = 2)")
def check_exam_shapes(student, answers, feedback):
    grade_shapes(student, "rnn_b_shapes", answers.rnn_b_shapes, HINTS, {}, partial_credit=True, feedback=feedback)


@check("c.other_sizes", "weight shapes at other sizes (s_dim = 3, x_dim = 4, p_dim = 5 and more)")
def check_other_sizes(student, answers, feedback):
    grade_shapes_each(student, "rnn_b_shapes", answers.rnn_b_shapes, HINTS, OTHER_SIZES, feedback=feedback)
