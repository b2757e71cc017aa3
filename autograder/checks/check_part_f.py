"""Part (f): which weights dLoss_t/dx_t of RNN-B depends on, as four true/false items.

The key is derived empirically by the reference (perturbing weights), never typed in.
"""

import functools

from gradescope_utils.autograder_utils.decorators import number, tags, visibility, weight

from autograder.checks import check, fail
from autograder.checks.values import items_in_order, truth
from autograder.checks.oracle import answer_key

FUNCTION = "rnn_b_dloss_dx_depends_on"
HINT = (
    "Hint: write W_ssx = [A | B] and W_ox = [C | D], where the left blocks act on the state and the right "
    "blocks on x_t, and expand z2_t in terms of s_{t-1} and x_t. With g_t = dLoss_t/dz2_t given, which "
    "entries appear in dLoss_t/dx_t?"
)


@functools.lru_cache(maxsize=1)
def derived_key():
    return answer_key.rnn_b_dloss_dx_depends_on()


def grade_item(student, key, feedback):
    what = f"`{FUNCTION}()`"
    answers = items_in_order(student.call(FUNCTION), answer_key.PART_F_KEYS, what=what, feedback=feedback)
    if key not in answers:
        fail(f"{what} returned a dict without the key {key!r}, so this item has no answer.")
    if truth(answers[key], what=f"The value for {key!r}", feedback=feedback) != derived_key()[key]:
        fail(f"Your answer for {key!r} is incorrect. {HINT}")


def item_check(index, roman, key, statement):
    @check(f"f.{roman}", f"{roman}. dLoss/dx_t {statement}")
    @weight(0.5)
    @visibility("visible")
    @number(f"6.{index}")
    @tags("backprop", "rnn-b")
    def check_item(student, feedback):
        grade_item(student, key, feedback)

    return check_item


check_f_i = item_check(1, "i", "W_ox", "depends on W_ox")
check_f_ii = item_check(2, "ii", "all_W_ox", "depends on all elements of W_ox")
check_f_iii = item_check(3, "iii", "W_ssx", "depends on W_ssx")
check_f_iv = item_check(4, "iv", "all_W_ssx", "depends on all elements of W_ssx")
