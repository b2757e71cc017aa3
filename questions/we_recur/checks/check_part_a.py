"""Part (a): the shapes of RNN-A's weights, W_ss, W_sx and W_o."""


from autograder.checks import check
from autograder.checks.shapes import grade_shapes, grade_shapes_each

# What each matrix's shape follows from, never the shape itself.
HINTS = {
    "W_ss": "Find, in RNN-A's equations, the vector W_ss multiplies and the vector its product is part of.",
    "W_sx": "Find, in RNN-A's equations, the vector W_sx multiplies and the vector its product is part of.",
    "W_o": "Find, in RNN-A's equations, the vector W_o multiplies and the vector it produces.",
}
OTHER_SIZES = ({"s_dim": 3, "x_dim": 4, "p_dim": 5}, {"s_dim": 1, "x_dim": 3, "p_dim": 2}, {"s_dim": 4, "x_dim": 2, "p_dim": 3})


@check("a.exam_shapes", "weight shapes at the exam's sizes (s_dim = x_dim = p_dim = 2)")
def check_exam_shapes(student, answers, feedback):
    grade_shapes(student, "rnn_a_shapes", answers.rnn_a_shapes, HINTS, {}, partial_credit=True, feedback=feedback)


@check("a.other_sizes", "weight shapes at other sizes (s_dim = 3, x_dim = 4, p_dim = 5 and more)")
def check_other_sizes(student, answers, feedback):
    grade_shapes_each(student, "rnn_a_shapes", answers.rnn_a_shapes, HINTS, OTHER_SIZES, feedback=feedback)
