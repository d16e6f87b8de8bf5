"""Holdout set 2 (tests/holdout2): pages written without reading the cleaner; see its README."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrapy_govclean import clean_page
from scrapy_govclean.extraction import clean_line
from scrapy_govclean.provenance import find_announcement_number, find_doc_number

HOLD = Path(__file__).resolve().parent / "holdout2"
IDS = sorted(p.stem for p in HOLD.glob("*.html"))


def _case(page_id: str):
    meta = json.loads((HOLD / f"{page_id}.meta.json").read_text("utf-8"))
    lines = [clean_line(x) for x in (HOLD / f"{page_id}.expected.txt").read_text("utf-8").splitlines()]
    lines = [x for x in lines if x]
    return meta, lines


def test_the_set_is_there():
    assert len(IDS) == 8


@pytest.mark.parametrize("page_id", IDS)
def test_expected_text_is_the_document_without_title_and_number_line(page_id):
    meta, lines = _case(page_id)
    assert lines[0] == meta["title"]
    body = lines[1:]
    if body and (find_doc_number(body[0]) or find_announcement_number(body[0])) and len(body[0]) <= 30:
        body = body[1:]
    result = clean_page((HOLD / f"{page_id}.html").read_bytes(), meta["url"])
    assert result.text.splitlines() == body
    assert result.title == meta["title"]
    leaked = [s for s in meta["noise_snippets"] if s in result.text]
    assert not leaked
    assert result.is_gov
    for key in ("publisher", "doc_number", "date"):
        assert result.provenance[key] == meta[key], key
