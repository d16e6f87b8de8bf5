"""Holdout set 6 (tests/holdout6): pages written without reading the cleaner; see its README."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrapy_govclean import clean_page
from scrapy_govclean.extraction import clean_line

HOLD = Path(__file__).resolve().parent / "holdout6"
IDS = sorted(p.stem for p in HOLD.glob("*.html"))
KNOWN_GAPS: dict[tuple[str, str], str] = {}  # both gaps of the first measurement are closed (see README)


def _case(page_id: str):
    meta = json.loads((HOLD / f"{page_id}.meta.json").read_text("utf-8"))
    expected = [x for x in (clean_line(y) for y in (HOLD / f"{page_id}.expected.txt").read_text("utf-8").splitlines()) if x]
    return meta, expected, clean_page((HOLD / f"{page_id}.html").read_bytes(), meta["url"])


def test_the_set_is_there():
    assert len(IDS) == 6


@pytest.mark.parametrize("page_id", IDS)
def test_the_document_alone(page_id):
    meta, expected, result = _case(page_id)
    assert result.is_gov
    assert result.text.splitlines() == expected
    assert not [s for s in meta["noise_snippets"] if s in result.text]


@pytest.mark.parametrize(
    "page_id, key",
    [
        pytest.param(i, k, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[(i, k)])) if (i, k) in KNOWN_GAPS else (i, k)
        for i in IDS for k in ("title", "publisher", "doc_number", "date")
    ],
)
def test_provenance(page_id, key):
    meta, _, result = _case(page_id)
    got = result.title if key == "title" else result.provenance[key]
    assert got == meta[key]
