"""Exercises: fill in each function, then grade with `symkeras grade` or `symkeras.check("exNN")`."""
