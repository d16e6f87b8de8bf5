"""The plugin's Scrapy settings: one table of defaults, and their validation.

Pure Python (no Scrapy import), so the table can be documented and tested on its own,
and a wrong value is rejected with a message naming the setting and what it accepts
before a crawl does any work.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from .result import CleanConfig


@dataclass(frozen=True)
class SettingDoc:
    """One setting: its default, its type as written in the docs, and what it does."""

    default: Any
    type: str
    description: str


#: Every setting of the plugin, with its default, type and a one-line description.
#: The docs' settings table is checked against this dict.
SETTINGS: dict[str, SettingDoc] = {
    "GOVCLEAN_ENABLED": SettingDoc(
        True, "bool", "Turn the whole plugin on or off without touching the component settings."
    ),
    "GOVCLEAN_MIN_GOV_SCORE": SettingDoc(
        0.5, "float (0–1)", "gov_score at or above which a page counts as a government document (is_gov)."
    ),
    "GOVCLEAN_DUPLICATES": SettingDoc(
        "drop", '"drop" | "keep"',
        "What to do with a near-duplicate: drop it (to the rejects feed) or keep it with duplicate_of set.",
    ),
    "GOVCLEAN_KEEP": SettingDoc(
        "all", '"all" | "gov" | "republished"',
        "Which cleaned items go on: all, only government documents, or only those republished off official sites.",
    ),
    "GOVCLEAN_HTML_FIELD": SettingDoc(
        None, "str | None",
        "Item field holding raw HTML that GovCleanPipeline cleans (None: the pipeline cleans nothing).",
    ),
    "GOVCLEAN_OVERWRITE": SettingDoc(
        False, "bool", "Let the plugin overwrite item fields the spider already set."
    ),
    "GOVCLEAN_OFFICIAL_DOMAINS": SettingDoc(
        [], "list[str]", "Extra hosts (and their subdomains) treated as official sites besides .gov.cn and .政务."
    ),
    "GOVCLEAN_EXTRA_NOISE_PATTERNS": SettingDoc(
        [], "list[str]", "Regular expressions; a text line matching one is removed as noise of kind ad."
    ),
    "GOVCLEAN_REJECTS_URI": SettingDoc(
        ".govclean/rejects.jsonl", "str | None",
        "Local path or file:// URI of the JSONL audit file of every item dropped or passed on unprocessed (None: off).",
    ),
    "GOVCLEAN_INDEX": SettingDoc(
        "sqlite:///.govclean/index.sqlite3", "str",
        "Near-duplicate index: memory://, sqlite:///path (persists across crawls) or redis://host:port/db.",
    ),
    "GOVCLEAN_SIMHASH_DISTANCE": SettingDoc(
        3, "int (0–32)",
        "Simhash radius (bits) always searched for duplicate candidates; wider copies are found by min-hash bands.",
    ),
    "GOVCLEAN_INDEX_NAMESPACE": SettingDoc(
        "govclean", "str", "Key prefix / table namespace in the index, so several projects can share one store."
    ),
    "GOVCLEAN_WORKERS": SettingDoc(
        None, "int | None",
        "Cleaning worker processes; None: CPU count − 1; 0: clean inline on the reactor thread.",
    ),
    "GOVCLEAN_TIMEOUT": SettingDoc(
        5.0, "float (seconds)",
        "Per-page cleaning time limit; a page over it is passed on uncleaned (a hung worker is killed).",
    ),
    "GOVCLEAN_GC_FREEZE": SettingDoc(
        True, "bool",
        "gc.freeze() the crawl process's heap when the spider opens, so full garbage collections skip it (fewer reactor stalls).",
    ),
    "GOVCLEAN_MAX_PAGE_BYTES": SettingDoc(
        5 * 1024 * 1024, "int (bytes)", "Bodies larger than this are passed on uncleaned."
    ),
    "GOVCLEAN_MAX_DEPTH": SettingDoc(
        200, "int", "Markup nested deeper than this is flattened before extraction."
    ),
    "GOVCLEAN_CLEANER": SettingDoc(
        "scrapy_govclean.core.clean_page", "str (import path)",
        "The cleaning function, called as clean_page(body, url, encoding=..., config=...); for tests and forks.",
    ),
}

#: Defaults only, derived from :data:`SETTINGS`.
DEFAULTS: dict[str, Any] = {name: doc.default for name, doc in SETTINGS.items()}

DUPLICATES_CHOICES = ("drop", "keep")
KEEP_CHOICES = ("all", "gov", "republished")
INDEX_SCHEMES = ("memory", "sqlite", "redis", "rediss", "unix")

_HOST_RE = re.compile(r"^(?:[^\s./:@]+\.)*[^\s./:@]+$")
_IMPORT_PATH_RE = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+$")
_FIELD_RE = re.compile(r"^[^\s]+$")
_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class GovCleanSettingError(ValueError):
    """A ``GOVCLEAN_*`` setting holds a value the plugin cannot use."""

    def __init__(self, name: str, value: Any, accepts: str) -> None:
        self.setting = name
        self.value = value
        self.accepts = accepts
        super().__init__(f"{name} = {value!r} is not valid: {name} accepts {accepts}")


@dataclass(frozen=True)
class GovCleanSettings:
    """Validated, normalised values of every setting (see :data:`SETTINGS`)."""

    enabled: bool
    min_gov_score: float
    duplicates: str
    keep: str
    html_field: str | None
    overwrite: bool
    official_domains: tuple[str, ...]
    extra_noise_patterns: tuple[str, ...]
    rejects_path: str | None
    index: str
    simhash_distance: int
    index_namespace: str
    workers: int
    timeout: float
    max_page_bytes: int
    max_depth: int
    cleaner: str
    gc_freeze: bool

    def clean_config(self) -> CleanConfig:
        """The core's knobs, as the settings set them."""
        return CleanConfig(
            official_domains=self.official_domains,
            extra_noise_patterns=self.extra_noise_patterns,
            min_gov_score=self.min_gov_score,
            max_depth=self.max_depth,
        )


def _raw(settings: Mapping[str, Any], name: str) -> Any:
    """The user's value, or the default when the setting is absent."""
    if name in settings:
        return settings[name]
    return DEFAULTS[name]


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise GovCleanSettingError(name, value, "True or False (or 1/0, yes/no, on/off as text)")


def _number(name: str, value: Any, kind: type, accepts: str, lo: float | None, hi: float | None) -> Any:
    if isinstance(value, bool):
        raise GovCleanSettingError(name, value, accepts)
    try:
        if kind is int:
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                number: Any = int(value)
            else:
                number = int(str(value).strip()) if isinstance(value, str) else int(value)
        else:
            number = float(value)
    except (TypeError, ValueError):
        raise GovCleanSettingError(name, value, accepts) from None
    if number != number or (lo is not None and number < lo) or (hi is not None and number > hi):
        raise GovCleanSettingError(name, value, accepts)
    return number


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in choices:
        raise GovCleanSettingError(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return text


def _optional_str(value: Any) -> Any:
    """Command-line ``-s NAME=None`` / ``-s NAME=`` arrive as text; treat them as None."""
    if isinstance(value, str) and value.strip() in ("", "None", "none", "null"):
        return None
    return value


def _str_list(name: str, value: Any, accepts: str, *, split_commas: bool) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise GovCleanSettingError(name, value, accepts) from None
        elif not text:
            return []
        elif split_commas:
            value = [part for part in text.split(",") if part.strip()]
        else:
            value = [text]
    if not isinstance(value, (list, tuple, set, frozenset)) or not all(isinstance(v, str) for v in value):
        raise GovCleanSettingError(name, value, accepts)
    return list(value)


def _domains(name: str, value: Any) -> tuple[str, ...]:
    accepts = 'a list of host names such as ["example.org", "data.example.com"] (no scheme, no path)'
    hosts: list[str] = []
    for raw in _str_list(name, value, accepts, split_commas=True):
        host = raw.strip().lower().lstrip(".").rstrip(".")
        if not host or not _HOST_RE.match(host):
            raise GovCleanSettingError(name, value, accepts)
        if host not in hosts:
            hosts.append(host)
    return tuple(hosts)


def _patterns(name: str, value: Any) -> tuple[str, ...]:
    accepts = "a list of valid Python regular expressions (a JSON list when given on the command line)"
    patterns = _str_list(name, value, accepts, split_commas=False)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise GovCleanSettingError(
                name, value, f"{accepts}; {pattern!r} does not compile: {exc}"
            ) from None
    return tuple(patterns)


def rejects_path(value: Any, name: str = "GOVCLEAN_REJECTS_URI") -> str | None:
    """The local file path a rejects URI designates (None when off)."""
    value = _optional_str(value)
    if value is None:
        return None
    accepts = "None, a local file path, or a file:// URI"
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise GovCleanSettingError(name, value, accepts)
    text = value.strip()
    if text.lower().startswith("file:"):
        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise GovCleanSettingError(name, value, accepts)
        return unquote(parts.path)
    # A Windows drive letter looks like a one-letter scheme; anything longer is a URL we cannot write to.
    scheme = urlsplit(text).scheme
    if len(scheme) > 1:
        raise GovCleanSettingError(name, value, accepts)
    return text


def _index_uri(name: str, value: Any) -> str:
    accepts = 'a URI: "memory://", "sqlite:///path/index.sqlite3" or "redis://host:port/db"'
    if not isinstance(value, str) or "://" not in value:
        raise GovCleanSettingError(name, value, accepts)
    scheme = value.split("://", 1)[0].lower()
    if scheme not in INDEX_SCHEMES:
        raise GovCleanSettingError(name, value, accepts)
    if scheme == "sqlite" and not value[len("sqlite://"):].strip("/"):
        raise GovCleanSettingError(name, value, accepts)
    return value


def default_workers() -> int:
    """CPU count − 1: leave one core to the reactor."""
    return max((os.cpu_count() or 1) - 1, 0)


def load_settings(settings: Mapping[str, Any]) -> GovCleanSettings:
    """Validate the ``GOVCLEAN_*`` values in ``settings`` (a Scrapy Settings or any mapping).

    Raises :class:`GovCleanSettingError` naming the first bad setting and what it accepts.
    """

    def get(name: str) -> Any:
        return _raw(settings, name)

    html_field = _optional_str(get("GOVCLEAN_HTML_FIELD"))
    if html_field is not None and (not isinstance(html_field, str) or not _FIELD_RE.match(html_field)):
        raise GovCleanSettingError("GOVCLEAN_HTML_FIELD", html_field, "None or an item field name")

    workers = _optional_str(get("GOVCLEAN_WORKERS"))
    workers = default_workers() if workers is None else _number(
        "GOVCLEAN_WORKERS", workers, int, "None (CPU count − 1) or an integer ≥ 0 (0: clean inline)", 0, 1024
    )

    namespace = get("GOVCLEAN_INDEX_NAMESPACE")
    if not isinstance(namespace, str) or not _NAMESPACE_RE.match(namespace):
        raise GovCleanSettingError(
            "GOVCLEAN_INDEX_NAMESPACE", namespace, "1–64 letters, digits, '_', '.' or '-' (no spaces)"
        )

    cleaner = get("GOVCLEAN_CLEANER")
    if not isinstance(cleaner, str) or not _IMPORT_PATH_RE.match(cleaner):
        raise GovCleanSettingError(
            "GOVCLEAN_CLEANER", cleaner, 'an import path such as "scrapy_govclean.core.clean_page"'
        )

    return GovCleanSettings(
        enabled=_bool("GOVCLEAN_ENABLED", get("GOVCLEAN_ENABLED")),
        min_gov_score=_number(
            "GOVCLEAN_MIN_GOV_SCORE", get("GOVCLEAN_MIN_GOV_SCORE"), float, "a number from 0 to 1", 0.0, 1.0
        ),
        duplicates=_choice("GOVCLEAN_DUPLICATES", get("GOVCLEAN_DUPLICATES"), DUPLICATES_CHOICES),
        keep=_choice("GOVCLEAN_KEEP", get("GOVCLEAN_KEEP"), KEEP_CHOICES),
        html_field=html_field,
        overwrite=_bool("GOVCLEAN_OVERWRITE", get("GOVCLEAN_OVERWRITE")),
        official_domains=_domains("GOVCLEAN_OFFICIAL_DOMAINS", get("GOVCLEAN_OFFICIAL_DOMAINS")),
        extra_noise_patterns=_patterns("GOVCLEAN_EXTRA_NOISE_PATTERNS", get("GOVCLEAN_EXTRA_NOISE_PATTERNS")),
        rejects_path=rejects_path(get("GOVCLEAN_REJECTS_URI")),
        index=_index_uri("GOVCLEAN_INDEX", get("GOVCLEAN_INDEX")),
        simhash_distance=_number(
            "GOVCLEAN_SIMHASH_DISTANCE", get("GOVCLEAN_SIMHASH_DISTANCE"), int, "an integer from 0 to 32", 0, 32
        ),
        index_namespace=namespace,
        workers=workers,
        timeout=_number(
            "GOVCLEAN_TIMEOUT", get("GOVCLEAN_TIMEOUT"), float, "a number of seconds > 0", 1e-3, None
        ),
        max_page_bytes=_number(
            "GOVCLEAN_MAX_PAGE_BYTES", get("GOVCLEAN_MAX_PAGE_BYTES"), int, "an integer number of bytes ≥ 1", 1, None
        ),
        max_depth=_number("GOVCLEAN_MAX_DEPTH", get("GOVCLEAN_MAX_DEPTH"), int, "an integer ≥ 1", 1, None),
        cleaner=cleaner,
        gc_freeze=_bool("GOVCLEAN_GC_FREEZE", get("GOVCLEAN_GC_FREEZE")),
    )


def settings_for(crawler: Any) -> GovCleanSettings:
    """Validate a crawler's settings for a component's from_crawler, logging what is wrong.

    The raised error stops the crawl at start-up (Scrapy reports it and exits non-zero).
    """
    try:
        return load_settings(crawler.settings)
    except GovCleanSettingError as exc:
        logging.getLogger(__name__).error("govclean: bad setting, not starting the crawl: %s", exc)
        raise
