"""We Recur! (MIT 6.036 Fall 2019 final, question 7): RNN-A and RNN-B, parts (a) to (f)."""
