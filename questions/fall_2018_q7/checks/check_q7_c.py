"""Part (c): (c.i) whether Pat's model represents the same state machines, as a truth
value; (c.ii) the student's counterexample, collected as text for manual grading.

(c.ii) asks for a relationship a standard RNN can represent and Pat's model cannot, for
any k: whether a described relationship is beyond Pat's model for every k is a proof, not
a value a check can compare, so the rubric gives it no autograded points (see its header).
``c2.counterexample`` only makes sure the text is there and shows it, for staff to grade.
"""

from autograder.checks import check, fail
from autograder.checks.values import describe, truth

CLAIM_FUNCTION = "pat_same_as_rnn"
TEXT_FUNCTION = "pat_counterexample"
#: The longest explanation kept (characters); longer text is cut, with a note.
MAX_TEXT_CHARS = 3000
HINT = (
    "Which inputs and which earlier states reach each of Pat's state groups? Compare with what reaches a state "
    "entry of the regular RNN."
)


@check("c1.pat", "(c.i) Pat's model and the standard RNN")
def check_pat(student, answers, feedback):
    given = truth(student.call(CLAIM_FUNCTION), what=f"`{CLAIM_FUNCTION}()`", feedback=feedback)
    if not answers.pat_same_as_rnn() == given:
        fail(f"Your answer to (c.i) is not correct. {HINT}")


@check("c2.counterexample", "(c.ii) your counterexample, collected for manual grading")
def check_counterexample(student, feedback):
    what = f"`{TEXT_FUNCTION}()`"
    text = student.call(TEXT_FUNCTION)
    if not isinstance(text, str):
        fail(f"{what} should return your explanation as text (a str); got {describe(text)}.")
    if not text.strip():
        fail(f"{what} returned empty text: write your explanation there, for staff to grade.")
    shown = text.strip()
    if len(shown) > MAX_TEXT_CHARS:
        shown = shown[:MAX_TEXT_CHARS]
        feedback.note(f"Your explanation is longer than {MAX_TEXT_CHARS} characters; only its beginning is shown.")
    quoted = "\n".join(f"> {line}" for line in shown.splitlines())  # a quote, so it reads as the student's words
    feedback.note(f"Collected for manual grading (this check gives no points of its own):\n\n{quoted}")
