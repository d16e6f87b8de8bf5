"""The fuzz suite's properties, run for N minutes with a large example budget (issue 6).

    nice python benchmarks/fuzz_soak.py --minutes 30
    python benchmarks/fuzz_soak.py --minutes 2 --json soak.json --failures soak-failures/

The CI fuzz tests (tests/test_fuzz_clean_page.py, tests/test_fuzz_middleware.py) run a
fixed, derandomized set of examples; this runs the same properties — the same strategies
and the same invariant checks, from tests/hostile.py — with fresh random examples, round
after round, until the time is up:

    clean_page/mutated    fixture pages mutated (truncation, tag soup, deep nesting, huge
                          lines, NUL bytes, invalid bytes, entities, unclosed elements,
                          splices, re-encoding under a lying charset)
    clean_page/generated  random trees of tags, Chinese and noise wording, entities
    clean_page/binary     binary bodies (PDF, PNG, gzip headers, random bytes)
    clean_page/str        pages given as str, arbitrary code points included
    clean_page/textless   pages with no visible text (is_gov must be false)
    middleware            the spider middleware with real Scrapy Response objects

Invariants (see tests/hostile.py): no exception escapes; time per page bounded (10 s +
4 s per MB); the output text is a sub-sequence of the page's visible text; is_gov false on
pages without text; the middleware loses no item and records every failure in the stats
and the rejects feed.

Prints one row per property (examples, failures, slowest page, pages per second) and exits
1 if any example failed; ``--failures DIR`` saves each failing page's bytes for replay.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import hostile  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402


class Tally:
    def __init__(self, name: str) -> None:
        self.name = name
        self.examples = 0
        self.failures: list[str] = []
        self.slowest = 0.0
        self.slowest_label = ""
        self.largest = 0
        self.seconds = 0.0
        self.gov = 0

    def row(self) -> dict[str, Any]:
        return {
            "property": self.name, "examples": self.examples, "failures": len(self.failures),
            "slowest_s": round(self.slowest, 3), "largest_bytes": self.largest,
            "pages_per_s": round(self.examples / self.seconds, 1) if self.seconds else 0.0, "is_gov": self.gov,
            "slowest_page": self.slowest_label[:300],
        }


def _record(tally: Tally, checked: hostile.Checked, label: str) -> None:
    tally.examples += 1
    tally.gov += checked.is_gov
    tally.largest = max(tally.largest, checked.size)
    if checked.seconds > tally.slowest:
        tally.slowest, tally.slowest_label = checked.seconds, label


def _save(failures_dir: Path | None, name: str, page: Any, error: str) -> None:
    if failures_dir is None:
        return
    failures_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{name.replace('/', '_')}-{int(time.time() * 1000)}"
    if isinstance(page, hostile.ServedPage):
        meta = {"content_type": page.content_type, "kind": page.kind, "opt_out": page.opt_out}
        page = page.page
    else:
        meta = {}
    if isinstance(page, hostile.Page):
        (failures_dir / f"{stem}.html").write_bytes(page.body)
        meta.update(declared=page.declared, url=page.url, label=page.label)
    else:
        (failures_dir / f"{stem}.txt").write_text(str(page), encoding="utf-8", errors="surrogatepass")
    meta["error"] = error
    (failures_dir / f"{stem}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def make_properties(tallies: dict[str, Tally], failures_dir: Path | None) -> dict[str, Callable[[int], None]]:
    """Each property as a function running one round of ``n`` fresh random examples."""

    def clean_property(name: str, strategy: Any) -> Callable[[int], None]:
        tally = tallies[name]

        def round_(n: int) -> None:
            @settings(max_examples=n, deadline=None, database=None, derandomize=False,
                      suppress_health_check=hostile.FUZZ_HEALTH)
            @given(strategy)
            def prop(page: Any) -> None:
                try:
                    checked = hostile.clean_and_check(page)
                except BaseException as exc:
                    _save(failures_dir, name, page, "".join(traceback.format_exception_only(exc)))
                    raise
                _record(tally, checked, page.label if isinstance(page, hostile.Page) else "str")

            prop()

        return round_

    textless = st.lists(st.tuples(st.sampled_from(("script", "style", "comment", "attr", "space", "div", "span", "p")),
                                  st.lists(st.sampled_from(hostile.GOV_WORDS + hostile.NOISE_WORDS), max_size=8).map("".join)),
                        max_size=20).map(hostile.textless_page)
    str_pages = st.one_of(st.text(max_size=3000), st.lists(hostile.trees, max_size=8).map(hostile.render_page))
    props = {
        "clean_page/mutated": clean_property("clean_page/mutated", hostile.mutated_fixture_pages()),
        "clean_page/generated": clean_property("clean_page/generated", hostile.generated_pages()),
        "clean_page/binary": clean_property("clean_page/binary", hostile.binary_pages()),
        "clean_page/str": clean_property("clean_page/str", str_pages),
        "clean_page/textless": clean_property("clean_page/textless", textless),
    }
    tally = tallies["middleware"]

    def middleware_round(n: int) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            for variant, extra in enumerate(({}, {"GOVCLEAN_MAX_PAGE_BYTES": 20_000}, {"GOVCLEAN_TIMEOUT": 0.001})):
                harness = hostile.MiddlewareHarness(Path(tmp) / f"rejects{variant}.jsonl", **extra)

                @settings(max_examples=max(1, n // 3), deadline=None, database=None, derandomize=False,
                          suppress_health_check=hostile.FUZZ_HEALTH)
                @given(hostile.served_pages(big=True), st.booleans())
                def prop(served: hostile.ServedPage, use_async: bool) -> None:
                    started = time.perf_counter()
                    try:
                        harness.feed(served, use_async=use_async)
                    except BaseException as exc:
                        _save(failures_dir, "middleware", served, "".join(traceback.format_exception_only(exc)))
                        raise
                    _record(tally, hostile.Checked(time.perf_counter() - started, len(served.page.body)),
                            served.page.label)

                try:
                    prop()
                finally:
                    harness.finish()

    props["middleware"] = middleware_round
    return props


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to run (default 30)")
    parser.add_argument("--round", type=int, default=40, help="examples per property per round (default 40)")
    parser.add_argument("--only", default="", help="comma-separated property names to run (default all)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--failures", type=Path, help="save failing pages (bytes + metadata) into this directory")
    args = parser.parse_args(argv)
    # the middleware logs every page it passes on uncleaned; the figures are what matter here
    logging.getLogger("scrapy_govclean").setLevel(logging.ERROR)

    names = ["clean_page/mutated", "clean_page/generated", "clean_page/binary", "clean_page/str",
             "clean_page/textless", "middleware"]
    if args.only:
        wanted = {x.strip() for x in args.only.split(",") if x.strip()}
        unknown = wanted - set(names)
        if unknown:
            parser.error(f"unknown properties: {', '.join(sorted(unknown))}")
        names = [n for n in names if n in wanted]
    tallies = {name: Tally(name) for name in names + ["middleware"]}
    props = make_properties(tallies, args.failures)
    started = time.monotonic()
    deadline = started + args.minutes * 60
    rounds = 0
    last_report = started
    while time.monotonic() < deadline:
        for name in names:
            if time.monotonic() >= deadline:
                break
            tally = tallies[name]
            t0 = time.monotonic()
            try:
                props[name](args.round)
            except KeyboardInterrupt:
                deadline = 0
                break
            except BaseException as exc:  # noqa: BLE001 - a failing property is a finding, keep going
                tally.failures.append("".join(traceback.format_exception_only(exc)).strip()[:2000])
                print(f"FAILURE in {name}:\n{tally.failures[-1]}", file=sys.stderr, flush=True)
            tally.seconds += time.monotonic() - t0
        rounds += 1
        now = time.monotonic()
        if now - last_report >= 60:
            last_report = now
            done = sum(t.examples for t in tallies.values())
            fails = sum(len(t.failures) for t in tallies.values())
            print(f"[{(now - started) / 60:5.1f} min] round {rounds}: {done} examples, {fails} failures",
                  file=sys.stderr, flush=True)

    elapsed = time.monotonic() - started
    rows = [tallies[n].row() for n in names]
    total = sum(r["examples"] for r in rows)
    failures = sum(r["failures"] for r in rows)
    header = f"{'property':<22} {'examples':>9} {'failures':>9} {'slowest s':>10} {'largest B':>10} {'pages/s':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['property']:<22} {r['examples']:>9} {r['failures']:>9} {r['slowest_s']:>10.2f} "
              f"{r['largest_bytes']:>10} {r['pages_per_s']:>8.1f}")
    print("-" * len(header))
    print(f"{'total':<22} {total:>9} {failures:>9}   in {elapsed / 60:.1f} min, {rounds} rounds")
    if args.json:
        args.json.write_text(json.dumps({
            "minutes": round(elapsed / 60, 2), "rounds": rounds, "examples": total, "failures": failures,
            "properties": rows, "failure_messages": {n: tallies[n].failures for n in names if tallies[n].failures},
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
