"""Settings: one table of defaults, validated with messages that name the setting."""
from __future__ import annotations

import pytest

from scrapy_govclean.settings import DEFAULTS, SETTINGS, GovCleanSettingError, load_settings

ISSUE_SETTINGS = {
    "GOVCLEAN_ENABLED", "GOVCLEAN_MIN_GOV_SCORE", "GOVCLEAN_DUPLICATES", "GOVCLEAN_KEEP",
    "GOVCLEAN_HTML_FIELD", "GOVCLEAN_OVERWRITE", "GOVCLEAN_OFFICIAL_DOMAINS",
    "GOVCLEAN_EXTRA_NOISE_PATTERNS", "GOVCLEAN_REJECTS_URI", "GOVCLEAN_INDEX",
    "GOVCLEAN_SIMHASH_DISTANCE", "GOVCLEAN_INDEX_NAMESPACE", "GOVCLEAN_WORKERS", "GOVCLEAN_TIMEOUT",
    "GOVCLEAN_MAX_PAGE_BYTES", "GOVCLEAN_MAX_DEPTH",
}


def test_every_setting_has_a_default_type_and_description():
    assert ISSUE_SETTINGS <= set(SETTINGS)
    for name, doc in SETTINGS.items():
        assert name.startswith("GOVCLEAN_")
        assert doc.type and doc.description and "\n" not in doc.description
        assert DEFAULTS[name] == doc.default


def test_defaults_validate_and_match_the_core_and_index_defaults():
    from scrapy_govclean.dedupe import DEFAULT_DISTANCE
    from scrapy_govclean.result import CleanConfig

    cfg = load_settings({})
    core = CleanConfig()
    assert cfg.min_gov_score == core.min_gov_score and cfg.max_depth == core.max_depth
    assert cfg.simhash_distance == DEFAULT_DISTANCE
    assert cfg.duplicates == "drop" and cfg.keep == "all" and cfg.html_field is None
    assert cfg.index == "sqlite:///.govclean/index.sqlite3" and cfg.rejects_path == ".govclean/rejects.jsonl"
    assert load_settings({"GOVCLEAN_REJECTS_URI": None}).rejects_path is None
    assert cfg.workers >= 0 and cfg.timeout == 5.0 and cfg.max_page_bytes == 5 * 1024 * 1024


def test_command_line_strings_are_understood():
    cfg = load_settings({
        "GOVCLEAN_ENABLED": "false", "GOVCLEAN_OVERWRITE": "1", "GOVCLEAN_WORKERS": "2",
        "GOVCLEAN_TIMEOUT": "0.5", "GOVCLEAN_MIN_GOV_SCORE": "0.7", "GOVCLEAN_KEEP": "GOV",
        "GOVCLEAN_OFFICIAL_DOMAINS": "Example.org, .data.example.com", "GOVCLEAN_HTML_FIELD": "None",
        "GOVCLEAN_EXTRA_NOISE_PATTERNS": '["^广告", "微信[::]\\\\w+"]', "GOVCLEAN_REJECTS_URI": "file:///data/rejects.jsonl",
    })
    assert cfg.enabled is False and cfg.overwrite is True and cfg.workers == 2
    assert cfg.timeout == 0.5 and cfg.min_gov_score == 0.7 and cfg.keep == "gov"
    assert cfg.official_domains == ("example.org", "data.example.com")
    assert cfg.html_field is None and len(cfg.extra_noise_patterns) == 2
    assert cfg.rejects_path == "/data/rejects.jsonl"
    assert cfg.clean_config().official_domains == ("example.org", "data.example.com")


@pytest.mark.parametrize(("name", "value", "accepts"), [
    ("GOVCLEAN_DUPLICATES", "collapse", "'drop', 'keep'"),
    ("GOVCLEAN_KEEP", "official", "'all', 'gov'"),
    ("GOVCLEAN_ENABLED", "maybe", "True or False"),
    ("GOVCLEAN_MIN_GOV_SCORE", 1.5, "from 0 to 1"),
    ("GOVCLEAN_WORKERS", -1, "integer ≥ 0"),
    ("GOVCLEAN_TIMEOUT", 0, "seconds > 0"),
    ("GOVCLEAN_MAX_PAGE_BYTES", "5MB", "number of bytes"),
    ("GOVCLEAN_MAX_DEPTH", 0, "integer ≥ 1"),
    ("GOVCLEAN_SIMHASH_DISTANCE", 65, "0 to 32"),
    ("GOVCLEAN_EXTRA_NOISE_PATTERNS", ["(unclosed"], "does not compile"),
    ("GOVCLEAN_OFFICIAL_DOMAINS", ["https://www.example.org/"], "host names"),
    ("GOVCLEAN_REJECTS_URI", "s3://bucket/rejects.jsonl", "file:// URI"),
    ("GOVCLEAN_INDEX", "mysql://db", "redis://host:port/db"),
    ("GOVCLEAN_INDEX_NAMESPACE", "two words", "no spaces"),
    ("GOVCLEAN_HTML_FIELD", 3, "field name"),
])
def test_bad_values_name_the_setting_and_what_it_accepts(name, value, accepts):
    with pytest.raises(GovCleanSettingError) as err:
        load_settings({name: value})
    message = str(err.value)
    assert message.startswith(name) and f"{name} accepts" in message and accepts in message
    assert err.value.setting == name
