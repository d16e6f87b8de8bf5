"""The public contract of the cleaner: what :func:`clean_page` returns.

The Scrapy components and the CLI emit exactly these keys, so this module is the one
place where the output schema is written down.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Every ``kind`` a removed block can carry (see docs/output.rst).
NOISE_KINDS: tuple[str, ...] = (
    "seo_keywords",
    "headline_list",
    "nav",
    "banner",
    "byline",
    "disclaimer",
    "edit_stamp",
    "pager",
    "share",
    "footer",
    "ad",
    "other",
)

#: Keys of ``provenance``, always present (``None`` when unknown).
PROVENANCE_KEYS: tuple[str, ...] = (
    "publisher",
    "doc_number",
    "date",
    "doc_type",
    "addressee",
    "title",
    "url",
    "site",
    "official_site",
    "republished",
    "posted_at",
    "edited_at",
    "byline",
)

#: Top-level keys of :meth:`CleanResult.to_dict`, in output order.
RESULT_KEYS: tuple[str, ...] = (
    "text",
    "title",
    "is_gov",
    "gov_score",
    "provenance",
    "noise",
    "simhash",
)


@dataclass(frozen=True)
class CleanConfig:
    """Tunable knobs of the core; the Scrapy settings map onto these.

    official_domains: extra hosts (and their subdomains) treated as official sites,
        besides ``.gov.cn`` and ``.政务``.
    extra_noise_patterns: regular expressions; a line matching one is removed as ``ad``.
    min_gov_score: threshold on ``gov_score`` for ``is_gov``.
    max_depth: markup nested deeper than this is flattened before extraction.
    """

    official_domains: tuple[str, ...] = ()
    extra_noise_patterns: tuple[str, ...] = ()
    min_gov_score: float = 0.5
    max_depth: int = 200


@dataclass
class CleanResult:
    """The clean document of one page, with its provenance and what was removed."""

    text: str = ""
    title: str = ""
    is_gov: bool = False
    gov_score: float = 0.0
    provenance: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(PROVENANCE_KEYS))
    noise: list[dict[str, str]] = field(default_factory=list)
    simhash: str = "0" * 16
    #: How the page was decoded and anything odd about it; not part of ``to_dict()``.
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The public fields, as plain JSON-serialisable values."""
        return {
            "text": self.text,
            "title": self.title,
            "is_gov": self.is_gov,
            "gov_score": self.gov_score,
            "provenance": dict(self.provenance),
            "noise": [dict(n) for n in self.noise],
            "simhash": self.simhash,
        }
