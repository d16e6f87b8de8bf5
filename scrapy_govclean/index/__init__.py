"""Near-duplicate indexes, chosen by URI (the ``GOVCLEAN_INDEX`` setting).

* ``memory://`` — one crawl, in this process.
* ``sqlite:///relative/path.sqlite3`` or ``sqlite:////absolute/path.sqlite3`` — the default
  (``sqlite:///.govclean/index.sqlite3``): persists across crawls, safe for several
  processes on one machine.
* ``redis://[[user]:password@]host[:port][/db]`` and ``rediss://`` (TLS) — shared by any
  number of crawler processes on any number of machines.

Credentials never reach a log: use :func:`redact_uri` for anything printed.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..dedupe import DEFAULT_DISTANCE, DedupeParams
from .base import DocumentIndex, IndexUnavailable

__all__ = [
    "DEFAULT_INDEX_URI",
    "DocumentIndex",
    "IndexUnavailable",
    "open_index",
    "redact_uri",
]

#: What the plugin uses when GOVCLEAN_INDEX is not set.
DEFAULT_INDEX_URI = "sqlite:///.govclean/index.sqlite3"

_NAMESPACE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_PARAM_NAMES = (
    "min_containment",
    "identity_min_containment",
    "min_size_ratio",
    "max_candidates",
    "max_postings",
)
_BACKEND_OPTIONS = {
    "sqlite": {"timeout", "mmap_size"},
    "redis": {"connect_timeout", "socket_timeout", "bucket_bits"},
    "rediss": {"connect_timeout", "socket_timeout", "bucket_bits"},
}
_SECRET_QUERY = {"password", "passwd", "pass", "pwd", "token", "secret"}


def redact_uri(uri: str) -> str:
    """``uri`` with any password (and secret-looking query values) replaced by ``***``."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparsable index URI>"
    netloc = parts.netloc
    changed = False
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, sep, _password = userinfo.partition(":")
        netloc = f"{user}:***@{hostport}" if sep else f"***@{hostport}"
        changed = True
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in _SECRET_QUERY for k, _ in pairs):
            query = urlencode(
                [(k, "***" if k.lower() in _SECRET_QUERY else v) for k, v in pairs], safe="*"
            )
            changed = True
    if not changed:
        return uri
    out = f"{parts.scheme}://{netloc}{parts.path}"
    if query:
        out += f"?{query}"
    return out + (f"#{parts.fragment}" if parts.fragment else "")


def open_index(
    uri: str,
    *,
    distance: int = DEFAULT_DISTANCE,
    namespace: str = "govclean",
    **opts: Any,
) -> DocumentIndex:
    """Open the index named by ``uri``.

    ``distance`` is the simhash radius the pigeonhole blocks guarantee.  Rule thresholds
    (``min_containment``, ``identity_min_containment``, ``min_size_ratio``,
    ``max_candidates``, ``max_postings``) may be passed in ``opts``; the rest goes to the
    backend (SQLite: ``timeout``, ``mmap_size``; Redis: ``connect_timeout``, ``socket_timeout``,
    ``bucket_bits``).

    Raises ValueError for an invalid URI/option and IndexUnavailable when the backend
    cannot be reached.
    """
    if not isinstance(uri, str) or not uri.strip():
        raise ValueError("index URI is empty; expected memory://, sqlite:///path or redis://host")
    if not _NAMESPACE.match(namespace or ""):
        raise ValueError(f"index namespace must match {_NAMESPACE.pattern}, got {namespace!r}")
    rule = {k: opts.pop(k) for k in _PARAM_NAMES if k in opts}
    params = DedupeParams(distance=int(distance), **rule)
    uri = uri.strip()
    scheme = uri.partition("://")[0].lower() if "://" in uri else ""
    if scheme == "memory":
        if uri.partition("://")[2] not in ("", "/"):
            raise ValueError(f"memory index takes no path, got {redact_uri(uri)!r}")
        if opts:
            raise ValueError(f"unknown memory index options: {sorted(opts)}")
        from .memory import MemoryIndex

        return MemoryIndex(params, namespace)
    allowed = _BACKEND_OPTIONS.get(scheme, set())
    unknown = sorted(set(opts) - allowed)
    if unknown and scheme in _BACKEND_OPTIONS:
        raise ValueError(f"unknown {scheme} index options {unknown}; known: {sorted(allowed)}")
    if scheme == "sqlite":
        from .sqlite import SqliteIndex, sqlite_path

        return SqliteIndex(sqlite_path(uri), params, namespace, **opts)
    if scheme in ("redis", "rediss"):
        from .redis import RedisIndex

        return RedisIndex(uri, params, namespace, **opts)
    raise ValueError(
        f"unsupported index URI {redact_uri(uri)!r}: expected memory://, "
        "sqlite:///relative/path.sqlite3 (sqlite:////absolute/path) or redis://host:port/db"
    )
