"""The output contract shared by the core, the Scrapy components and the CLI."""
from scrapy_govclean import NOISE_KINDS, CleanResult
from scrapy_govclean.result import PROVENANCE_KEYS, RESULT_KEYS


def test_empty_result_has_every_public_key():
    d = CleanResult().to_dict()
    assert tuple(d) == RESULT_KEYS
    assert set(d["provenance"]) == set(PROVENANCE_KEYS)
    assert len(d["simhash"]) == 16


def test_noise_kinds_are_the_documented_ones():
    assert NOISE_KINDS[0] == "seo_keywords" and NOISE_KINDS[-1] == "other"
    assert len(set(NOISE_KINDS)) == len(NOISE_KINDS) == 12
