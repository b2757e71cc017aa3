"""Part (e): the next input x_{t+1} during one-to-many generation with RNN-B.

The check runs the reference RNN-B, with the reference softmax, and only the student's
next-input rule, for several steps; the sequence it generates is compared with the
reference's own generation. A rule that gives the exam's next input for every output of
the reference generation reproduces it, so that is asked first, in one exchange; only a
rule that does not is run through generation for real, to tell a rule that feeds back
the one-hot of a chosen word (the argmax, or a word sampled from p_t: half credit) from
others.
"""

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, tags, visibility, weight

from autograder.checks import check, fail, partial
from autograder.checks.values import close, column

from .oracle import NEXT_INPUT_RULES, RNNB, generate_together

FUNCTION = "rnn_b_next_input"
WHAT = f"`{FUNCTION}`"
TRIALS = 8
STEPS = 5
# The rubric's decision: feeding back the embedding of the chosen word, the most likely one
# or one sampled from p_t, is a sensible language-model answer, but not the one this exam's
# network uses.
ONE_HOT_FRACTION = 0.5


def networks_and_inputs(rng, size):
    """``TRIALS`` random RNN-Bs with softmax outputs and their first inputs."""
    networks, x1s = [], []
    for _ in range(TRIALS):
        networks.append(
            RNNB(W_ssx=rng.standard_normal((size, 2 * size)), W_ox=rng.standard_normal((size, 2 * size)))
        )
        x1s.append(rng.standard_normal((size, 1)))
    return networks, x1s


def follows_the_reference(student, reference, feedback, size):
    """Whether the student's rule gives the exam's ``x_{t+1}`` for every ``p_t`` of the
    ``reference`` generations, all asked in one exchange, in the order generation would
    ask. If it does, generating with it reproduces the reference generation, step by
    step: a shortcut that spares a pass the exchanges of generating for real."""
    asked = [(generation.ps[t - 1], generation.xs[t]) for generation in reference for t in range(1, STEPS)]
    values = student.call_each(FUNCTION, [((p_t,), {}) for p_t, _ in asked])
    return all(close(column(value, size, what=WHAT, feedback=feedback), x) for value, (_, x) in zip(values, asked))


def generations(student, networks, x1s, feedback, size):
    """The generation of each network with the student's rule as its next input."""

    def student_rule(ps):
        # The trials step together: one exchange with the sandbox per step, not per trial and step.
        values = student.call_each(FUNCTION, [((p_t,), {}) for p_t in ps])
        return [column(value, size, what=WHAT, feedback=feedback) for value in values]

    return generate_together(networks, x1s, STEPS, next_inputs=student_rule)


def same_generations(generated, references):
    return all(
        close(a, b)
        for mine, theirs in zip(generated, references)
        for a, b in zip(mine.ps + mine.xs, theirs.ps + theirs.xs)
    )


def grade_generation(student, rng, feedback, size):
    networks, x1s = networks_and_inputs(rng, size)
    reference = generate_together(networks, x1s, STEPS)  # the exam's rule, x_{t+1} = p_t
    if follows_the_reference(student, reference, feedback, size):
        return
    generated = generations(student, networks, x1s, feedback, size)
    if same_generations(generated, reference):
        return
    one_hot_rule = NEXT_INPUT_RULES["one_hot_argmax"]
    one_hot = [network.generate(x1, STEPS, next_input=one_hot_rule) for network, x1 in zip(networks, x1s)]
    if same_generations(generated, one_hot) or (
        all(is_one_hot(x) for generation in generated for x in generation.xs[1:])
        and picks_the_certain_word(student, feedback, size)
    ):
        partial(
            ONE_HOT_FRACTION,
            f"Recognised: {WHAT} feeds back the one-hot embedding of one chosen word (the most likely one, or "
            "one sampled from p_t). That is how many language models generate text, but it makes a hard choice "
            "that this exam's network does not make: reread how x_{t+1} is defined. Half credit, as the rubric "
            "decides.",
            mistake="e.one_hot_choice",
        )
    fail(
        f"Generating {STEPS} steps with the reference RNN-B and {WHAT} did not reproduce the reference "
        "generation. Think about what the network has just produced at step t, and what x_{t+1} "
        "must therefore represent."
    )


def is_one_hot(x):
    return bool(((x == 0) | (x == 1)).all() and x.sum() == 1)


def picks_the_certain_word(student, feedback, size):
    """Whether the rule returns the one-hot of word k whenever p_t puts all but 1e-12 of
    its mass on k, for each k: what both the argmax and a sampler of p_t do, and a rule
    that always picks the same word does not. It tells a sampler (whose generation differs
    run to run) from any other rule that outputs one-hot vectors."""
    certain = []
    for k in range(size):
        p_t = np.full((size, 1), 1e-12 / (size - 1))
        p_t[k, 0] = 1.0 - 1e-12
        certain.append(p_t)
    values = student.call_each(FUNCTION, [((p_t,), {}) for p_t in certain])
    picked = [column(value, size, what=WHAT, feedback=feedback) for value in values]
    return all(is_one_hot(x) and x[k, 0] == 1 for k, x in enumerate(picked))


@check("e.generation", "the next input x_{t+1} during generation with random RNN-Bs")
@weight(2)
@visibility("visible")
@number("5.1")
@tags("generation", "rnn-b")
def check_generation(student, rng, feedback):
    grade_generation(student, rng, feedback, 2)


@check("e.other_sizes", "the next input at another size (x_dim = p_dim = 4)")
@weight(0)
@number("5.2")
@tags("generation", "generalization")
def check_other_sizes(student, rng, feedback):
    grade_generation(student, rng, feedback, 4)
