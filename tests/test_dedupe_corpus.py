"""Near-duplicate quality on the fixture corpus: pairwise precision 1.0, recall >= 0.95.

Every page is cleaned with ``clean_page``, fingerprinted with ``make_entry`` and fed to a
real memory index in several orders; two pages are predicted to be one document when the
index names the same first copy for both.  Truth is the corpus ``group`` field.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import random
from pathlib import Path

import pytest

from scrapy_govclean.dedupe import DedupeParams, DocumentEntry, decide, make_entry
from scrapy_govclean.index import open_index

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus.jsonl"

try:
    from scrapy_govclean import clean_page
except (ImportError, AttributeError):  # pragma: no cover - until the core lands
    clean_page = None

pytestmark = pytest.mark.skipif(
    clean_page is None or not CORPUS.exists(), reason="clean_page or the fixture corpus is not available"
)


@pytest.fixture(scope="module")
def pages() -> list[tuple[dict, DocumentEntry]]:
    out = []
    for line in CORPUS.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        ct = record["content_type"]
        charset = ct.split("charset=", 1)[1].strip() if "charset=" in ct else None
        body = (FIXTURES / "pages" / f"{record['page_id']}.html").read_bytes()
        result = clean_page(body, record["url"], encoding=charset)
        prov = result.provenance
        out.append((record, make_entry(result.text, record["url"], prov, official=bool(prov.get("official_site")))))
    return out


def score(pages, same_pred) -> tuple[float, float]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(range(len(pages)), 2):
        same = pages[a][0]["group"] == pages[b][0]["group"]
        pred = same_pred(a, b)
        tp += same and pred
        fp += pred and not same
        fn += same and not pred
    return (tp / (tp + fp) if tp + fp else 1.0), tp / (tp + fn)


@pytest.mark.parametrize("seed", range(4))
def test_index_clusters_the_corpus(pages, seed: int) -> None:
    order = list(range(len(pages)))
    random.Random(seed).shuffle(order)
    index = open_index("memory://")
    first: dict[int, str] = {}
    for k in order:
        record, entry = pages[k]
        verdict = index.check_and_insert(entry)
        first[k] = verdict.duplicate_of or record["url"]
    precision, recall = score(pages, lambda a, b: first[a] == first[b])
    assert precision == 1.0
    assert recall >= 0.95


def test_pairwise_rule_on_the_corpus(pages) -> None:
    params = DedupeParams()
    precision, recall = score(pages, lambda a, b: decide(pages[b][1], pages[a][1], params).duplicate)
    assert precision == 1.0 and recall >= 0.95


def test_templated_notices_are_kept_apart_even_without_provenance(pages) -> None:
    """The two quarterly subsidy lists differ only in figures: the guard must catch it."""
    groups = {"doc:ba-rsj-subsidy-2023q2", "doc:ba-rsj-subsidy-2023q3"}
    picked = {r["group"]: e for r, e in pages if r["group"] in groups}
    if len(picked) < 2:
        pytest.skip("the corpus no longer holds both subsidy lists")
    a, b = (dataclasses.replace(e, doc_number_key=0, date_key=0) for e in picked.values())
    assert not decide(b, a, DedupeParams()).duplicate
