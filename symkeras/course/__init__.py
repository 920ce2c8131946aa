"""Course tooling: what the lessons call at their top (:func:`fetch_exercise`, :func:`lesson_banner`), a learner's
own copy of the course (:func:`init_course`, ``symkeras course init DIR``) and the headless lesson runner.

The library (``symkeras.groups``, ``symkeras.layers``, …) never imports this package; it uses the library.
"""

from symkeras.course.lessons import lesson_banner
from symkeras.course.workspace import fetch_exercise, init_course, material

__all__ = ["fetch_exercise", "init_course", "lesson_banner", "material"]
