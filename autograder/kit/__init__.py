"""The student kit: the handout, the starter template and a self-check that runs the
rubric's visible checks on the student's own machine, with Gradescope's messages.

``python -m autograder student-kit --out kit.zip`` builds it (:mod:`autograder.kit.build`).
The kit vendors the grader's pure-Python pieces and replaces two things:

- pytest and its plugin, by :mod:`autograder.kit.selfcheck`, which calls each visible
  check with the same fixtures and judges it with :mod:`autograder.outcomes`;
- the question's reference answers (the checks' ``answers``), by a replay of the
  answers recorded at build time (:mod:`autograder.kit.recording`, replayed by
  :mod:`autograder.kit.replay`), keyed by function name and a fingerprint of the
  arguments, in which discrete answers are sealed (:mod:`autograder.kit.sealed`). This
  is generic: any question's ``reference/answers.py`` is recorded alike.

Only :mod:`autograder.kit.build` and :mod:`autograder.kit.recording` run at
build time; the other modules here are shipped and need nothing but numpy.
"""
