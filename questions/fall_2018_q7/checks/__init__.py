"""The checks of Fall 2018 Q7, one module per exam part (see :mod:`autograder.checks`)."""
