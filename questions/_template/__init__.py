"""A template question, the logistic function: copy this folder to start a question
(the README's "Adding a question" says how)."""
