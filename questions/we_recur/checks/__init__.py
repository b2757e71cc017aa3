"""The checks of We Recur!, one module per part; the rubric weighs them."""
