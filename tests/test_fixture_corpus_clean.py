"""The cleaner on the fixture corpus: exact text, no planted noise, is_gov, provenance.

Every page of tests/fixtures/corpus.jsonl is one test case; the expected outputs were
written from the source documents (see tests/fixtures/README.md), not from the cleaner.
"""
import json
from pathlib import Path

import pytest

from scrapy_govclean import clean_page

FIXTURES = Path(__file__).parent / "fixtures"
RECORDS = [json.loads(line) for line in (FIXTURES / "corpus.jsonl").read_text("utf-8").splitlines() if line.strip()]
GOV = [r for r in RECORDS if r["expected"]["is_gov"]]


def _declared_charset(record: dict) -> str | None:
    ct = record["content_type"]
    return ct.split("charset=", 1)[1].strip() if "charset=" in ct else None


def _clean(record: dict):
    body = (FIXTURES / "pages" / f"{record['page_id']}.html").read_bytes()
    return clean_page(body, record["url"], encoding=_declared_charset(record))


@pytest.mark.parametrize("record", RECORDS, ids=[r["page_id"] for r in RECORDS])
def test_fixture_page(record):
    result = _clean(record)
    expected = record["expected"]
    leaks = [s for s in record["planted_noise"] if s in result.text]
    assert leaks == [], "planted noise leaked into the text"
    assert result.text == expected["text"]
    assert result.title == expected["title"]
    assert result.is_gov is expected["is_gov"], result.gov_score
    prov = result.provenance
    assert prov["url"] == record["url"]
    assert prov["official_site"] is expected["provenance"]["official_site"]
    assert prov["republished"] is expected["provenance"]["republished"]
    for key in ("doc_type", "addressee"):
        assert prov[key] == expected["provenance"][key], key


@pytest.mark.parametrize("key", ["publisher", "doc_number", "date"])
def test_provenance_right_on_95_percent_of_government_pages(key):
    right = sum(1 for r in GOV if _clean(r).provenance[key] == r["expected"]["provenance"][key])
    assert right >= 0.95 * len(GOV), f"{key}: {right}/{len(GOV)}"


def test_every_document_paragraph_is_kept():
    lost = []
    for record in RECORDS:
        text = _clean(record).text
        lost += [(record["page_id"], line) for line in record["expected"]["text"].splitlines() if line not in text]
    assert lost == []
