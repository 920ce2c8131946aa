"""Plausible wrong answers to exercise 00 (see grade_variants.py)."""

import os

from symkeras import groups

GRADED_BY = {
    "keras_backend": ["test_keras_backend_names_the_running_backend"],
    "group_order": ["test_group_order"],
}


def keras_backend__hard_coded():
    """Returns the default backend's name instead of asking Keras which backend is in use."""
    return "tensorflow"


def keras_backend__reads_the_environment():
    """Reads $KERAS_BACKEND: misses a backend chosen in ~/.keras/keras.json (or by keras.config)."""
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def group_order__digits_of_the_name(name):
    """Parses the order from the name: "D4" has 8 elements, not 4."""
    return int("".join(c for c in name if c.isdigit()) or 1)


def group_order__rotations_only(name):
    """Counts the rotations and forgets the flips."""
    return groups.get(name).rotations


def group_order__largest_element(name):
    """Off by one: the largest element index, not the number of elements."""
    return max(groups.get(name).elements)
