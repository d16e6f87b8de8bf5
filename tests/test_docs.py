"""The documentation builds, and it cannot drift from the code.

1. ``sphinx-build -W --keep-going`` builds docs/ without a warning.
2. Every setting of the code's settings table (scrapy_govclean.settings.SETTINGS) has its own
   section in docs/settings.rst with its type and default; every GOVCLEAN_* name written
   anywhere in scrapy_govclean/ is in that table (or is a Python name the package defines,
   such as items.GOVCLEAN_FIELDS); the page documents no setting the code lacks.
3. Every output key appears in docs/output.rst: result.RESULT_KEYS, PROVENANCE_KEYS,
   NOISE_KINDS, every field the Scrapy components may set (items.GOVCLEAN_FIELDS: the
   clean fields, duplicate_of, canonical_url, govclean_unchecked, govclean_error,
   govclean_warnings), the rejects-feed keys and the ``source_file`` key of ``govclean clean``
   (both listed here explicitly: the code writes them from dict literals, not a constant),
   and every key of the generated example record.
4. The worked-example files (docs/_generated/, docs/_static/seed-explain.html) are exactly
   what docs/generate_example.py produces from the current code.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PACKAGE = REPO / "scrapy_govclean"

#: Keys of one rejects-feed line (scrapy_govclean/rejects.py, RejectsWriter.write: a dict
#: literal, no constant to import).
REJECTS_KEYS = ("reason", "action", "url", "item", "time")
#: Keys ``govclean clean`` adds to each JSONL line (scrapy_govclean/cli.py, _record).
CLI_KEYS = ("source_file",)

_SETTING_RE = re.compile(r"\bGOVCLEAN_[A-Z0-9_]*[A-Z0-9]\b")


def _load_generator():
    spec = importlib.util.spec_from_file_location("govclean_docs_generate_example", DOCS / "generate_example.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- 1. the build


def test_sphinx_build_has_no_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout}\n{proc.stderr}"
    assert (out / "index.html").is_file()
    # the explain picture is published next to the pages and linked from how-it-works
    assert (out / "_static" / "seed-explain.html").is_file()
    assert "seed-explain.html" in (out / "how-it-works.html").read_text("utf-8")


# --------------------------------------------------------------------------- 2. settings


def _doc_literal(value) -> str:
    """A default as docs/settings.rst writes it: Python syntax, strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_doc_literal(v) for v in value) + "]"
    return repr(value)


def _settings_sections(text: str) -> dict[str, str]:
    """``GOVCLEAN_*`` section title -> the section's text (up to the next GOVCLEAN_ title)."""
    lines = text.splitlines()
    starts = [
        i for i in range(len(lines) - 1)
        if re.fullmatch(r"GOVCLEAN_[A-Z0-9_]+", lines[i].strip())
        and re.fullmatch(r"[-~^=\"'`+*#]{3,}", lines[i + 1].strip())
    ]
    sections = {}
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        sections[lines[i].strip()] = "\n".join(lines[i:end])
    return sections


def test_every_setting_is_documented_with_type_and_default():
    from scrapy_govclean.settings import SETTINGS

    sections = _settings_sections((DOCS / "settings.rst").read_text("utf-8"))
    missing = sorted(set(SETTINGS) - set(sections))
    assert not missing, f"docs/settings.rst has no section for {missing}"
    stale = sorted(set(sections) - set(SETTINGS))
    assert not stale, f"docs/settings.rst documents settings the code does not have: {stale}"
    for name, doc in SETTINGS.items():
        body = sections[name]
        default = re.search(r"^:Default:\s*``(.+?)``", body, re.M)
        assert default, f"{name}: no ':Default: ``…``' line in docs/settings.rst"
        assert default.group(1) == _doc_literal(doc.default), (
            f"{name}: docs say default ``{default.group(1)}``, the code's table says {_doc_literal(doc.default)}"
        )
        typ = re.search(r"^:Type:\s*``(.+?)``", body, re.M)
        assert typ and typ.group(1) == doc.type, (
            f"{name}: docs say type {typ.group(1) if typ else None!r}, the code's table says {doc.type!r}"
        )
        assert "Example" in body and name + " =" in body, f"{name}: no example in docs/settings.rst"


def _defined_names(path: Path) -> set[str]:
    """Module-level names a source file defines (constants, functions, classes)."""
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        for t in targets:
            if isinstance(t, ast.Name):
                names.add(t.id)
    return names


def test_every_govclean_name_in_the_code_is_in_the_settings_table():
    from scrapy_govclean.settings import SETTINGS

    defined = set().union(*(_defined_names(p) for p in PACKAGE.rglob("*.py")))
    unknown: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in set(_SETTING_RE.findall(path.read_text("utf-8"))):
            if name not in SETTINGS and name not in defined:
                unknown.setdefault(name, []).append(str(path.relative_to(REPO)))
    assert not unknown, (
        "GOVCLEAN_* names used in the code but missing from scrapy_govclean.settings.SETTINGS "
        f"(add them to the table and to docs/settings.rst): {unknown}"
    )


# --------------------------------------------------------------------------- 3. output keys


def test_every_output_key_is_documented():
    from scrapy_govclean.items import GOVCLEAN_FIELDS
    from scrapy_govclean.result import NOISE_KINDS, PROVENANCE_KEYS, RESULT_KEYS

    text = (DOCS / "output.rst").read_text("utf-8")
    record = json.loads((DOCS / "_generated" / "seed-record.json").read_text("utf-8"))
    keys = {
        "result": RESULT_KEYS,
        "provenance": PROVENANCE_KEYS,
        "noise kind": NOISE_KINDS,
        "Scrapy item field": GOVCLEAN_FIELDS + ("duplicate_of", "canonical_url"),
        "rejects feed": REJECTS_KEYS,
        "govclean clean JSONL": CLI_KEYS,
        "example record": tuple(record) + tuple(record["provenance"]),
    }
    missing = {
        what: [k for k in names if f"``{k}``" not in text]
        for what, names in keys.items()
    }
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"docs/output.rst does not document: {missing}"


# --------------------------------------------------------------------------- 4. generated example


def test_generated_example_matches_the_code(tmp_path):
    generator = _load_generator()
    generator.generate(tmp_path)
    stale = []
    for rel in generator.OUTPUTS:
        committed = DOCS / rel
        fresh = tmp_path / rel
        if not committed.is_file() or committed.read_bytes() != fresh.read_bytes():
            stale.append(rel)
    assert not stale, (
        f"docs/{', docs/'.join(stale)} no longer match what the code produces: the cleaner changed. "
        "Run `python docs/generate_example.py`, check the worked example in docs/how-it-works.rst "
        "and docs/output.rst still reads right, and commit the regenerated files."
    )


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.rst")))
def test_docs_pages_hold_no_machine_paths(page):
    text = (DOCS / page).read_text("utf-8")
    assert not re.search(r"(?<![\w.])/(?:home|root|tmp|work|Users)/", text), page


def test_worked_example_prose_matches_the_generated_blocks():
    """The block numbers and kinds docs/how-it-works.rst names are those the code produced."""
    import csv

    rows = list(csv.DictReader((DOCS / "_generated" / "seed-blocks.csv").read_text("utf-8").splitlines()))
    by_blocks = {row["blocks"]: row for row in rows}
    text = (DOCS / "how-it-works.rst").read_text("utf-8")
    named = re.findall(r"^Blocks? (\d+(?:–\d+)?), (?:``(\w+)``|(kept))", text, re.M)
    assert len(named) >= 10, "docs/how-it-works.rst no longer walks through the seed page's blocks"
    wrong = []
    for blocks, kind, kept in named:
        row = by_blocks.get(blocks)
        if row is None or (kept and row["decision"] != "kept") or (kind and row["kind"] != kind):
            wrong.append(f"{blocks} {kind or kept}")
    total = re.search(r"gives (\d+) blocks \(numbered 0–(\d+)", text)
    last = int(rows[-1]["blocks"].split("–")[-1])
    if not total or int(total.group(1)) != last + 1 or int(total.group(2)) != last:
        wrong.append("block count")
    assert not wrong, (
        f"docs/how-it-works.rst describes blocks the code no longer produces: {wrong}; "
        "compare with docs/_generated/seed-blocks.csv and update the walk-through"
    )
