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
exclude_patterns = ["_build"]
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
highlight_language = "none"


# --------------------------------------------------------------------------------------
# ``.. govclean-settings-table::`` renders the summary table of docs/settings.rst straight
# from the code's table (scrapy_govclean.settings.SETTINGS), so the summary cannot drift;
# the per-setting sections below it are checked against the same table by tests/test_docs.py.

def _literal(value):
    import json as _json

    if isinstance(value, str):
        return _json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return repr(value)


def setup(app):
    from docutils import nodes
    from docutils.parsers.rst import Directive

    class SettingsTable(Directive):
        has_content = False

        def run(self):
            from scrapy_govclean.settings import SETTINGS

            table = nodes.table(classes=["govclean-settings"])
            group = nodes.tgroup(cols=4)
            table += group
            for width in (26, 16, 22, 36):
                group += nodes.colspec(colwidth=width)

            def row(cells, header=False):
                r = nodes.row()
                for cell in cells:
                    entry = nodes.entry()
                    entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=cell)
                    r += entry
                return r

            head = nodes.thead()
            head += row(["Setting", "Type", "Default", "What it does"])
            group += head
            body = nodes.tbody()
            for name, doc in SETTINGS.items():
                ref = nodes.paragraph()
                ref += nodes.reference("", "", nodes.literal(text=name), refid=name.lower().replace("_", "-"))
                typ = nodes.paragraph()
                typ += nodes.literal(text=doc.type)
                default = nodes.paragraph()
                default += nodes.literal(text=_literal(doc.default))
                body += row([ref, typ, default, doc.description])
            group += body
            return [table]

    app.add_directive("govclean-settings-table", SettingsTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
