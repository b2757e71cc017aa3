"""MIT 6.036 Fall 2018 final, question 7 (RNNs): a question folder (see ``questions/``)."""
