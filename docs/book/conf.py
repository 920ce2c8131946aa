"""Sphinx configuration of the book (docs/book/build.py copies it beside the pages it generates, then builds).

Offline by design: the lessons are rendered from their executed notebooks (never run here), MathJax is served from
the site's own _static/mathjax/, and nothing else loads from another host (tests/course/test_book.py checks this in
Chromium).
"""

import re

import symkeras

project = "symkeras"
author = "the symkeras authors"
copyright = "the symkeras authors, MIT licence"
release = version = symkeras.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Notebooks: show the outputs stored by `python -m symkeras lessons run`; never execute.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# API reference.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"undoc-members": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_custom_sections = ["Input shape", "Output shape", "Example", "Examples"]  # Keras' docstring sections


_LITERAL = re.compile(r"(``.*?``|`[^`]*`)")


def _escape_bars(app, what, name, obj, options, lines):
    """Docstrings write |G| (a group's order) and |x| (absolute values) as prose; reStructuredText would read them
    as substitutions. Escape bars outside literals."""
    for i, line in enumerate(lines):
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if j % 2 else p.replace("|", "\\|") for j, p in enumerate(parts))


def _join_wrapped_names(app, what, name, obj, options, lines):
    """Before napoleon reads an ``Args:`` section: join an argument list wrapped after a comma
    (``a, b,`` / ``c: as in ...``) into one line, which napoleon reads as several names sharing a description."""
    i = 0
    while i < len(lines) - 1:
        if lines[i].rstrip().endswith(",") and ":" not in lines[i] and lines[i + 1].strip():
            lines[i : i + 2] = [lines[i].rstrip() + " " + lines[i + 1].strip()]
        else:
            i += 1


def setup(app):
    app.connect("autodoc-process-docstring", _join_wrapped_names, priority=100)  # napoleon runs at 500
    app.connect("autodoc-process-docstring", _escape_bars)


# Maths: MathJax 3 from the site itself (no CDN).
mathjax_path = "mathjax/tex-mml-chtml.js"

html_theme = "sphinx_book_theme"
html_title = "symkeras: symmetry designs neural networks"
html_static_path = ["_static"]
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}  # without it the theme logs "invalid theme mode" on a first visit
html_last_updated_fmt = None
html_show_sourcelink = False
