"""The questions the autograder grades: one folder each, holding everything that
question is (see the README's "Adding a question").

``questions/NAME/`` holds ``rubric.yaml``, ``reference/`` (the verified answers),
``checks/check_*.py``, ``handout/``, ``example/`` (a correct solution) and
``samples/`` (submissions with their expected scores). ``default.txt`` names the
question that ``./dev demo`` and a checkout's ``run_autograder`` grade; a built zip
holds one question and names it there. The engine (``autograder``) imports no
question by name: it is handed one (:mod:`autograder.question`).
"""
