"""The verified reference of Fall 2018 Q7: the standard RNN and Pat's block-separated
variant (:mod:`.networks`), what the checks compare with (:mod:`.answers`) and the
wrong answers they recognise (:mod:`.lookalikes`). numpy and the standard library only;
nothing here knows of grading. Verified independently by
``tests/questions/test_fall_2018_q7_reference.py``."""
