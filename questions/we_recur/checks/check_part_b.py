"""Part (b): dLoss_t/dx_t for RNN-A with f1 = f2 = identity, given g = dLoss_t/dz2_t."""


from autograder.checks import check, fail
from autograder.checks.values import close, column

FUNCTION = "rnn_a_dloss_dx"
WHAT = f"`{FUNCTION}`"
EXAM_DRAWS = 25
OTHER_SIZE_DRAWS = 10

# Wrong answers students commonly give: a stable key for the batch's item analytics, the
# answer as a function of the same inputs, and what to tell them. Each is recognised only
# when it explains every draw. A message names the mistake and the idea to revisit, never the right product (nor a fix that gives it):
# a negated answer is not diagnosed, since any message about its sign would give the answer.
COMMON_MISTAKES = (
    (
        "b.forward_product",
        lambda W_ss, W_sx, W_o, g: W_sx @ W_o @ g,
        "Your result equals W_sx W_o g, the weight matrices as the forward pass applies them. Going backwards "
        "through z = W v does not multiply the gradient by W itself: work out dLoss/dv entry by entry for a "
        "2×2 W and compare.",
    ),
    (
        "b.reversed_order",
        lambda W_ss, W_sx, W_o, g: W_o.T @ W_sx.T @ g,
        "Your result equals W_o^T W_sx^T g, a product whose shapes line up only when x_dim = p_dim. Write the "
        "chain rule one link at a time from g back to x_t, each link a matrix whose shape fits the vectors it "
        "connects.",
    ),
    (
        "b.recurrent_weight",
        lambda W_ss, W_sx, W_o, g: W_ss.T @ W_o.T @ g,
        "Your result equals W_ss^T W_o^T g. Look again at how x_t enters z1_t, and which weight it meets there.",
    ),
    (
        "b.stops_at_state",
        lambda W_ss, W_sx, W_o, g: W_o.T @ g,
        "Your result equals W_o^T g, which is dLoss_t/ds_t: the chain stops one link short of x_t.",
    ),
    (
        "b.through_previous_state",
        lambda W_ss, W_sx, W_o, g: W_sx.T @ W_ss.T @ W_o.T @ g,
        "Your result includes a factor of W_ss^T. Only Loss_t is differentiated: follow how x_t reaches it "
        "within step t, and whether s_{t-1} lies on that path.",
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
    """``(key, message)`` of the common mistake that explains every answer, or None."""
    for key, mistake, message in COMMON_MISTAKES:
        try:
            if all(close(a, mistake(W_ss, W_sx, W_o, g)) for (W_ss, W_sx, W_o, _, g), a in zip(draws, answers)):
                return key, message
        except ValueError:  # the mistake's product is undefined at these sizes
            continue
    return None


def grade_draws(student, answers, draws, x_dim, feedback, *, sizes_text):
    returned = student.call_each(FUNCTION, [(inputs, {}) for inputs in draws])
    given = [column(value, x_dim, what=WHAT, feedback=feedback) for value in returned]
    matched = sum(close(a, answers.rnn_a_dloss_dx(*inputs)) for inputs, a in zip(draws, given))
    if matched == len(draws):
        return
    summary = f"{WHAT} matched the reference on {matched} of {len(draws)} random draws ({sizes_text})."
    key, message = recognise_mistake(draws, given) or ("", HINT)
    fail(f"{summary}\n\n{message}", mistake=key)


@check("b.random_weights", "dLoss_t/dx_t on random weights")
def check_random_weights(student, answers, rng, feedback):
    draws = [draw(rng, 2, 2, 2) for _ in range(EXAM_DRAWS)]
    grade_draws(student, answers, draws, 2, feedback, sizes_text="s_dim = x_dim = p_dim = 2")


@check("b.other_sizes", "dLoss_t/dx_t at other sizes (s_dim = 3, x_dim = 4, p_dim = 5)")
def check_other_sizes(student, answers, rng, feedback):
    draws = [draw(rng, 3, 4, 5) for _ in range(OTHER_SIZE_DRAWS)]
    grade_draws(student, answers, draws, 4, feedback, sizes_text="s_dim=3, x_dim=4, p_dim=5")
