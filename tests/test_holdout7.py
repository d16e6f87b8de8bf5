"""Holdout set 7 (tests/holdout7): pages written without reading the cleaner; see its README."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrapy_govclean import clean_page
from scrapy_govclean.extraction import clean_line

HOLD = Path(__file__).resolve().parent / "holdout7"
KNOWN_GAPS = {"04": "a <pre> block is read as one line"}
IDS = sorted(p.stem for p in HOLD.glob("*.html"))


def test_the_set_is_there():
    assert len(IDS) == 5


@pytest.mark.parametrize(
    "page_id",
    [pytest.param(i, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[i])) if i in KNOWN_GAPS else i for i in IDS],
)
def test_the_document_alone_with_its_provenance(page_id):
    meta = json.loads((HOLD / f"{page_id}.meta.json").read_text("utf-8"))
    expected = [x for x in (clean_line(y) for y in (HOLD / f"{page_id}.expected.txt").read_text("utf-8").splitlines()) if x]
    result = clean_page((HOLD / f"{page_id}.html").read_bytes(), meta["url"])
    assert result.is_gov
    assert result.text.splitlines() == expected
    assert not [s for s in meta["noise_snippets"] if s in result.text]
    assert result.title == meta["title"]
    for key in ("publisher", "doc_number", "date"):
        assert result.provenance[key] == meta[key], key
