"""The paper experiments and benchmarks, built only on the library's public API.

* :mod:`~symkeras.experiments.gcnn` — CNN vs P4CNN on rotated MNIST (``python -m symkeras reproduce gcnn``);
* :mod:`~symkeras.experiments.cloning` — the "Symmetry From Scratch" tasks (``python -m symkeras reproduce cloning``);
* :mod:`~symkeras.experiments.bench` — speed ratios against plain Keras (``python -m symkeras bench``).

The library (``symkeras`` outside ``experiments`` and ``course``) never imports these modules.
"""
