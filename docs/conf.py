"""Sphinx configuration for the scrapy-govclean documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(tests/test_docs.py runs exactly this).
"""
from __future__ import annotations

import os
import sys

# The package is importable from the repository root (autodoc, version).
sys.path.insert(0, os.path.abspath(".."))

import scrapy_govclean  # noqa: E402

project = "scrapy-govclean"
author = "the scrapy-govclean developers"
copyright = "the scrapy-govclean developers"
version = release = scrapy_govclean.__version__

extensions = [
    "sphinx.ext.autodoc",
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"

templates_path: list[str] = []
exclude_patterns = ["_build", "_generated/README.md"]
html_static_path = ["_static"]
# The generated example files are included by literalinclude, not built as pages.
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
language = "en"

html_theme = "alabaster"
html_theme_options = {
    "description": "Government documents out of noisy Chinese republisher pages",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
}
html_title = f"scrapy-govclean {release}"
highlight_language = "python3"
