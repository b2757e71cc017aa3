"""Part (b): dLoss_t/dx_t for RNN-A with f1 = f2 = identity, given g = dLoss_t/dz2_t."""

from gradescope_utils.autograder_utils.decorators import number, tags, visibility, weight

from autograder.checks import check, fail
from autograder.checks.values import close, column
from autograder.checks.oracle import answer_key

FUNCTION = "rnn_a_dloss_dx"
WHAT = f"`{FUNCTION}`"
EXAM_DRAWS = 25
OTHER_SIZE_DRAWS = 10

# Wrong answers students commonly give, as functions of the same inputs, with what to
# tell them. Each is recognised only when it explains every draw.
COMMON_MISTAKES = (
    (
        lambda W_ss, W_sx, W_o, g: W_sx @ W_o @ g,
        "Your result equals W_sx W_o g: the transposes are missing. Going backwards through z = W v "
        "multiplies the gradient by W^T (the transpose), not by W.",
    ),
    (
        lambda W_ss, W_sx, W_o, g: W_o.T @ W_sx.T @ g,
        "Your result equals W_o^T W_sx^T g: the right factors in the reverse order. The chain rule applies the "
        "factor nearest the loss first: g goes back through W_o before it goes back through W_sx.",
    ),
    (
        lambda W_ss, W_sx, W_o, g: W_ss.T @ W_o.T @ g,
        "Your result equals W_ss^T W_o^T g: it uses W_ss where x_t enters the network through W_sx.",
    ),
    (
        lambda W_ss, W_sx, W_o, g: W_o.T @ g,
        "Your result equals W_o^T g, which is dLoss_t/ds_t. One more step of the chain rule takes it back "
        "through z1_t = W_ss s_{t-1} + W_sx x_t to x_t.",
    ),
    (
        lambda W_ss, W_sx, W_o, g: W_sx.T @ W_ss.T @ W_o.T @ g,
        "Your result has an extra factor of W_ss^T: at time t, x_t reaches the loss only through W_sx and W_o.",
    ),
    (
        lambda W_ss, W_sx, W_o, g: -(W_sx.T @ W_o.T @ g),
        "Your result has the opposite sign.",
    ),
)
HINT = (
    "Follow the chain from the loss back to x_t: z2_t = W_o s_t, s_t = z1_t and "
    "z1_t = W_ss s_{t-1} + W_sx x_t. Only Loss_t is differentiated, and g = dLoss_t/dz2_t is given."
)


def draw(rng, s_dim, x_dim, p_dim):
    """Random inputs for one call: (W_ss, W_sx, W_o, x_t, dloss_dz2)."""
    return (
        rng.standard_normal((s_dim, s_dim)),
        rng.standard_normal((s_dim, x_dim)),
        rng.standard_normal((p_dim, s_dim)),
        rng.standard_normal((x_dim, 1)),
        rng.standard_normal((p_dim, 1)),
    )


def recognise_mistake(draws, answers):
    """The message of the common mistake that explains every answer, or None."""
    for mistake, message in COMMON_MISTAKES:
        try:
            if all(close(a, mistake(W_ss, W_sx, W_o, g)) for (W_ss, W_sx, W_o, _, g), a in zip(draws, answers)):
                return message
        except ValueError:  # the mistake's product is undefined at these sizes
            continue
    return None


def grade_draws(student, draws, x_dim, feedback, *, sizes_text):
    returned = student.call_each(FUNCTION, [(inputs, {}) for inputs in draws])
    answers = [column(value, x_dim, what=WHAT, feedback=feedback) for value in returned]
    matched = sum(close(a, answer_key.rnn_a_dloss_dx(*inputs)) for inputs, a in zip(draws, answers))
    if matched == len(draws):
        return
    summary = f"{WHAT} matched the reference on {matched} of {len(draws)} random draws ({sizes_text})."
    fail(f"{summary}\n\n{recognise_mistake(draws, answers) or HINT}")


@check("b.random_weights", "matches W_sx^T W_o^T g on random weights")
@weight(2)
@visibility("visible")
@number("2.1")
@tags("backprop", "rnn-a")
def check_random_weights(student, rng, feedback):
    draws = [draw(rng, 2, 2, 2) for _ in range(EXAM_DRAWS)]
    grade_draws(student, draws, 2, feedback, sizes_text="2×2 weights, 2×1 vectors")


@check("b.other_sizes", "generalizes to other sizes (s=3, x=4, p=5)")
@weight(0)
@number("2.2")
@tags("backprop", "rnn-a", "generalization")
def check_other_sizes(student, rng, feedback):
    draws = [draw(rng, 3, 4, 5) for _ in range(OTHER_SIZE_DRAWS)]
    grade_draws(student, draws, 4, feedback, sizes_text="s_dim=3, x_dim=4, p_dim=5")
