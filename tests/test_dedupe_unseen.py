"""Near-duplicates across unseen republished copies (tests/dupes_unseen; see its README)."""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from scrapy_govclean import clean_page
from scrapy_govclean.dedupe import make_entry
from scrapy_govclean.extraction import fold
from scrapy_govclean.index import open_index

HERE = Path(__file__).resolve().parent / "dupes_unseen"
PAGES = json.loads((HERE / "groups.json").read_text("utf-8"))["pages"]
IDS = sorted(PAGES)


def _cleaned() -> dict:
    return {i: clean_page((HERE / f"{i}.html").read_bytes(), PAGES[i]["url"]) for i in IDS}


def test_one_record_per_document_and_the_official_copy_is_canonical():
    results = _cleaned()
    index = open_index("memory://", distance=3, namespace="unseen")
    first_of: dict[str, str] = {}
    verdicts = {}
    for i in IDS:  # pages in order: A's official copy (15) comes after three commercial copies
        r = results[i]
        assert r.is_gov, i
        entry = make_entry(r.text, PAGES[i]["url"], r.provenance, official=bool(r.provenance["official_site"]))
        verdicts[i] = index.check_and_insert(entry)
    url_to_id = {PAGES[i]["url"]: i for i in IDS}
    group = {i: (url_to_id[verdicts[i].duplicate_of] if verdicts[i].duplicate else i) for i in IDS}
    tp = fp = fn = 0
    for a, b in itertools.combinations(IDS, 2):
        same, judged = PAGES[a]["doc"] == PAGES[b]["doc"], group[a] == group[b]
        tp, fp, fn = tp + (same and judged), fp + (judged and not same), fn + (same and not judged)
    assert fp == 0, "different documents judged duplicates"
    assert fn == 0, "copies of one document not recognised"
    assert tp == 23
    official = next(i for i in IDS if ".gov.cn" in PAGES[i]["url"])
    assert verdicts[official].duplicate and verdicts[official].canonical_url == PAGES[official]["url"]


def test_a_hard_wrapped_copy_loses_no_text():
    results = _cleaned()

    def flat(i: str) -> str:
        return re.sub(r"[\W_]+", "", fold(results[i].text))

    for doc in ("A", "C"):
        verbatim, wrapped = [i for i in IDS if PAGES[i]["doc"] == doc][0], [i for i in IDS if PAGES[i]["doc"] == doc][2]
        assert flat(wrapped) == flat(verbatim), (doc, verbatim, wrapped)
