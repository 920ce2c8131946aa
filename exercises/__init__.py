"""Exercises: fill in each function, then grade with `python -m symkeras grade` or `symkeras.check("exNN")`."""
