"""Near-duplicates across unseen republished copies (tests/dupes_unseen, dupes_unseen2,
dupes_unseen3 and dupes_unseen4; see their READMEs): pages by developers who did not read the code."""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from scrapy_govclean import clean_page
from scrapy_govclean.dedupe import make_entry
from scrapy_govclean.extraction import fold
from scrapy_govclean.index import open_index

TESTS = Path(__file__).resolve().parent
HERE = TESTS / "dupes_unseen"
PAGES = json.loads((HERE / "groups.json").read_text("utf-8"))["pages"]
IDS = sorted(PAGES)


def _cleaned(where: Path = HERE) -> dict:
    pages = json.loads((where / "groups.json").read_text("utf-8"))["pages"]
    return {i: clean_page((where / f"{i}.html").read_bytes(), pages[i]["url"]) for i in sorted(pages)}


#: Copies too stripped to be told government text (their README says why); still grouped.
NOT_GOV = {("dupes_unseen4", "08")}


@pytest.mark.parametrize("name", ["dupes_unseen", "dupes_unseen2", "dupes_unseen3", "dupes_unseen4"])
@pytest.mark.parametrize("order", ["as numbered", "reversed"])
def test_one_record_per_document_and_the_official_copy_is_canonical(name, order):
    where = TESTS / name
    pages = json.loads((where / "groups.json").read_text("utf-8"))["pages"]
    ids = sorted(pages)
    results = _cleaned(where)
    index = open_index("memory://", distance=3, namespace="unseen")
    verdicts = {}
    sequence = ids if order == "as numbered" else ids[::-1]
    for i in sequence:
        r = results[i]
        assert r.is_gov == ((name, i) not in NOT_GOV), i
        entry = make_entry(r.text, pages[i]["url"], r.provenance, official=bool(r.provenance["official_site"]))
        verdicts[i] = index.check_and_insert(entry)
    url_to_id = {pages[i]["url"]: i for i in ids}
    group = {i: (url_to_id[verdicts[i].duplicate_of] if verdicts[i].duplicate else i) for i in ids}
    tp = fp = fn = 0
    for a, b in itertools.combinations(ids, 2):
        same, judged = pages[a]["doc"] == pages[b]["doc"], group[a] == group[b]
        tp, fp, fn = tp + (same and judged), fp + (judged and not same), fn + (same and not judged)
    assert fp == 0, "different documents judged duplicates"
    assert fn == 0, "copies of one document not recognised"
    assert tp == sum(1 for a, b in itertools.combinations(ids, 2) if pages[a]["doc"] == pages[b]["doc"]) > 0
    # an official copy is the canonical URL of itself and of every copy judged after it
    officials = [i for i in ids if ".gov.cn" in pages[i]["url"]]
    checked = 0
    for official in officials:
        later = sequence[sequence.index(official):]
        for i in later:
            if pages[i]["doc"] == pages[official]["doc"] and verdicts[i].duplicate:
                assert verdicts[i].canonical_url == pages[official]["url"], (official, i)
                checked += 1
    assert checked > 0


def test_a_hard_wrapped_copy_loses_no_text():
    results = _cleaned()

    def flat(i: str) -> str:
        return re.sub(r"[\W_]+", "", fold(results[i].text))

    for doc in ("A", "C"):
        verbatim, wrapped = [i for i in IDS if PAGES[i]["doc"] == doc][0], [i for i in IDS if PAGES[i]["doc"] == doc][2]
        assert flat(wrapped) == flat(verbatim), (doc, verbatim, wrapped)
