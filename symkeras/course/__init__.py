"""Course tooling: what the lessons call at their top (:func:`lesson_banner`) and the headless lesson runner.

The library (``symkeras.groups``, ``symkeras.layers``, …) never imports this package; it uses the library.
"""

from symkeras.course.lessons import lesson_banner

__all__ = ["lesson_banner"]
