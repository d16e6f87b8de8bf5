"""The index interface every backend implements (memory, SQLite, Redis).

Why one interface: the pipeline must not care where the records live; it asks one
question per document — "is this new? if not, which record is it a copy of?" — and that
question must be answered atomically (insert-if-new), or two crawlers racing on copies of
one document would both record it as new.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType

from ..dedupe import (
    Candidate,
    DedupeParams,
    DocumentEntry,
    Verdict,
    choose,
    verdict_for,
)

__all__ = ["DocumentIndex", "IndexUnavailable"]


class IndexUnavailable(Exception):
    """The backend cannot be reached; the caller keeps the item and marks it unchecked."""


class DocumentIndex(ABC):
    """Insert-if-new store of documents with candidate lookup by exact posting keys.

    Only first-seen copies are stored; a duplicate updates its record's canonical URL when
    it is the first official-site copy, and is otherwise not written.
    """

    #: URI the index was opened with, credentials redacted (safe to log).
    uri: str = ""

    def __init__(self, params: DedupeParams, namespace: str = "govclean") -> None:
        self.params = params
        self.namespace = namespace

    @abstractmethod
    def check_and_insert(self, entry: DocumentEntry) -> Verdict:
        """Atomically: decide against stored candidates, insert ``entry`` if it is new."""

    @abstractmethod
    def find(self, entry: DocumentEntry) -> list[Candidate]:
        """Stored candidates for ``entry`` (read-only; no decision taken)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections/files; idempotent."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of stored documents (first-seen copies)."""

    def _resolve(
        self, entry: DocumentEntry, candidates: list[Candidate]
    ) -> tuple[Verdict, Candidate | None, str | None]:
        """Shared decision step: (verdict, matched candidate, canonical URL to write back)."""
        match, evidence = choose(entry, candidates, self.params)
        verdict, update = verdict_for(entry, match, evidence)
        return verdict, match, update

    def __enter__(self) -> DocumentIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uri} distance={self.params.distance}>"
