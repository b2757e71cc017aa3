"""Part (e): the next input x_{t+1} during one-to-many generation with RNN-B.

The check runs the reference RNN-B, with the reference softmax, and only the student's
next-input rule, for several steps; the sequence it generates is compared with the
reference's own generation. A rule that gives the exam's next input for every output of
the reference generation reproduces it, so that is asked first, in one exchange; only a
rule that does not is run through generation for real, to tell a rule that feeds back
the one-hot of a chosen word (the argmax, or a word sampled from p_t: half credit) from
others.

Every generation steps with ``answers.rnn_b_step``, the exam's and the one-hot rule's
included, and both are generated before the student's rule is asked anything: the
student kit's recording (which runs these checks against the reference) then holds
each step of both, and replays the student's generation as long as it follows one of
them. A step off both has no recorded answer in the kit (:class:`NoAnswer`): there the
generation ends, as diverged, and the check reaches Gradescope's verdict ("did not
reproduce"), without calling the student's rule for the remaining steps.
"""

import numpy as np

from autograder.checks import NoAnswer, check, computed_once, fail, partial
from autograder.checks.values import close, column

FUNCTION = "rnn_b_next_input"
WHAT = f"`{FUNCTION}`"
TRIALS = 8
STEPS = 5
# The rubric's decision: feeding back the embedding of the chosen word, the most likely one
# or one sampled from p_t, is a sensible language-model answer, but not the one this exam's
# network uses.
ONE_HOT_FRACTION = 0.5


class Generation:
    """What one generation produced: outputs ``ps`` and inputs ``xs``, ``(dim, 1)`` each."""

    def __init__(self, ps, xs):
        self.ps = ps
        self.xs = xs


def networks_and_inputs(rng, size):
    """``TRIALS`` random RNN-Bs (``(W_ssx, W_ox)`` pairs) and their first inputs."""
    networks, x1s = [], []
    for _ in range(TRIALS):
        networks.append((rng.standard_normal((size, 2 * size)), rng.standard_normal((size, 2 * size))))
        x1s.append(rng.standard_normal((size, 1)))
    return networks, x1s


def generate_together(answers, networks, x1s, next_inputs):
    """Each network's generation of ``STEPS`` steps from its ``x1``, all stepping
    together: at each step one call of ``next_inputs`` maps every live generation's
    ``p_t`` to its ``x_{t+1}`` (one exchange with the sandbox per step for the student's
    rule, not one per trial and step). A generation whose step has no answer (the kit,
    off every recorded trajectory) ends there, NaN from then on."""
    states = [np.zeros((W_ssx.shape[0], 1)) for W_ssx, _ in networks]
    xs = [np.asarray(x1, dtype=np.float64) for x1 in x1s]
    ps_of, xs_of = [[] for _ in networks], [[] for _ in networks]
    live = list(range(len(networks)))
    for t in range(STEPS):
        for index in list(live):
            xs_of[index].append(xs[index])
            try:
                states[index], p_t = answers.rnn_b_step(*networks[index], states[index], xs[index])
            except NoAnswer:
                live.remove(index)
                continue
            ps_of[index].append(p_t)
        if t + 1 < STEPS and live:
            for index, x in zip(live, next_inputs([ps_of[index][-1].copy() for index in live])):
                xs[index] = x
    generations = []
    for ps, inputs in zip(ps_of, xs_of):
        nothing = np.full_like(inputs[0], np.nan)
        generations.append(Generation(ps + [nothing] * (STEPS - len(ps)), inputs + [nothing] * (STEPS - len(inputs))))
    return generations


def follows_the_reference(student, reference, feedback, size):
    """Whether the student's rule gives the exam's ``x_{t+1}`` for every ``p_t`` of the
    ``reference`` generations, all asked in one exchange, in the order generation would
    ask. If it does, generating with it reproduces the reference generation, step by
    step: a shortcut that spares a pass the exchanges of generating for real."""
    asked = [(generation.ps[t - 1], generation.xs[t]) for generation in reference for t in range(1, STEPS)]
    values = student.call_each(FUNCTION, [((p_t,), {}) for p_t, _ in asked])
    return all(close(column(value, size, what=WHAT, feedback=feedback), x) for value, (_, x) in zip(values, asked))


def generations(student, answers, networks, x1s, feedback, size):
    """The generation of each network with the student's rule as its next input."""

    def student_rule(ps):
        values = student.call_each(FUNCTION, [((p_t,), {}) for p_t in ps])
        return [column(value, size, what=WHAT, feedback=feedback) for value in values]

    return generate_together(answers, networks, x1s, student_rule)


def same_generations(generated, references):
    return all(
        close(a, b)
        for mine, theirs in zip(generated, references)
        for a, b in zip(mine.ps + mine.xs, theirs.ps + theirs.xs)
    )


def reference_generations(answers, networks, x1s):
    """The generations of the exam's rule and of the one-hot rule from these draws, made
    once per answers object (read-only: the submissions of one seed share them)."""

    def generate():
        reference = generate_together(answers, networks, x1s, lambda ps: [answers.rnn_b_next_input(p) for p in ps])
        one_hot = generate_together(answers, networks, x1s, lambda ps: [answers.one_hot_argmax(p) for p in ps])
        for array in (x for generation in reference + one_hot for x in generation.ps + generation.xs):
            array.setflags(write=False)
        return reference, one_hot

    return computed_once(answers, (networks, x1s), generate)


def grade_generation(student, answers, rng, feedback, size):
    networks, x1s = networks_and_inputs(rng, size)
    reference, one_hot = reference_generations(answers, networks, x1s)
    if follows_the_reference(student, reference, feedback, size):
        return
    generated = generations(student, answers, networks, x1s, feedback, size)
    if same_generations(generated, reference):
        return
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
def check_generation(student, answers, rng, feedback):
    grade_generation(student, answers, rng, feedback, 2)


@check("e.other_sizes", "the next input at another size (x_dim = p_dim = 4)")
def check_other_sizes(student, answers, rng, feedback):
    grade_generation(student, answers, rng, feedback, 4)
