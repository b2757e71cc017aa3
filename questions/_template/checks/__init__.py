"""The checks of the template question."""
