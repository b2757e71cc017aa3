"""The student kit: the handout, the starter template and a self-check that runs the
rubric's visible checks on the student's own machine, with Gradescope's messages.

``python -m autograder student-kit --out kit.zip`` builds it (:mod:`autograder.kit.build`).
The kit vendors the grader's pure-Python pieces and replaces two things:

- pytest and its plugin, by :mod:`autograder.kit.selfcheck`, which calls each visible
  check with the same fixtures and judges it with :mod:`autograder.outcomes`;
- the reference implementation, by a replay of answers recorded at build time
  (:mod:`autograder.kit.replay_oracle`, shipped as ``question/checks/oracle.py``),
  in which discrete answers are sealed (:mod:`autograder.kit.sealed`).

Only :mod:`autograder.kit.build` and :mod:`autograder.kit.recording_oracle` run at
build time; the other modules here are shipped and need nothing but numpy.
"""
