"""Part (f): which weights dLoss_t/dx_t of RNN-B depends on, as four true/false items.

The key is derived empirically by the reference (perturbing weights), never typed in.
``f.statements`` grades the four items together and says only how many are right, so
that a student who may resubmit does not learn the key item by item; ``f.i`` to
``f.iv`` grade one item each, for a rubric that shows them (by default, after the due
date, with no points of their own).
"""

import functools


from autograder.checks import CheckFailed, check, fail, partial
from autograder.checks.values import items_in_order, truth

FUNCTION = "rnn_b_dloss_dx_depends_on"
HINT = (
    "Hint: write W_ssx = [A | B] and W_ox = [C | D], where the left blocks act on the state and the right "
    "blocks on x_t, and expand z2_t in terms of s_{t-1} and x_t. With g_t = dLoss_t/dz2_t given, which "
    "entries appear in dLoss_t/dx_t?"
)


@functools.lru_cache(maxsize=4)
def derived_key(answers):
    """The (f) key: derived once per ``answers`` (it perturbs weights of several networks)."""
    return answers.rnn_b_dloss_dx_depends_on()


def grade_item(student, answers, key, feedback):
    what = f"`{FUNCTION}()`"
    given = items_in_order(student.call(FUNCTION), answers.PART_F_KEYS, what=what, feedback=feedback)
    if key not in given:
        fail(f"{what} returned a dict without the key {key!r}, so this item has no answer.")
    if truth(given[key], what=f"The value for {key!r}", feedback=feedback) != derived_key(answers)[key]:
        fail(f"Your answer for {key!r} is incorrect. {HINT}")


def grade_statements(student, answers, feedback):
    """All four items at once: a fraction of the points per right item, and a message
    that counts them without naming which."""
    what = f"`{FUNCTION}()`"
    given = items_in_order(student.call(FUNCTION), answers.PART_F_KEYS, what=what, feedback=feedback)
    right, problems = 0, []
    for key in answers.PART_F_KEYS:
        if key not in given:
            problems.append(f"{what} returned a dict without the key {key!r}, so that statement has no answer.")
            continue
        try:
            right += truth(given[key], what=f"The value for {key!r}", feedback=feedback) == derived_key(answers)[key]
        except CheckFailed as error:
            problems.append(str(error))
    total = len(answers.PART_F_KEYS)
    if right == total:
        return
    message = "\n\n".join([f"{right} of the {total} statements are answered correctly.", *problems, HINT])
    if right:
        partial(right / total, message)
    fail(message)


@check("f.statements", "statements i to iv together")
def check_statements(student, answers, feedback):
    grade_statements(student, answers, feedback)


def item_check(roman, key, statement):
    @check(f"f.{roman}", f"{roman}. dLoss/dx_t {statement}")
    def check_item(student, answers, feedback):
        grade_item(student, answers, key, feedback)

    return check_item


check_f_i = item_check("i", "W_ox", "depends on W_ox")
check_f_ii = item_check("ii", "all_W_ox", "depends on all elements of W_ox")
check_f_iii = item_check("iii", "W_ssx", "depends on W_ssx")
check_f_iv = item_check("iv", "all_W_ssx", "depends on all elements of W_ssx")
