"""Regenerate the documentation's worked-example files by running the code.

    python docs/generate_example.py            # rewrites the committed files under docs/
    python docs/generate_example.py OUT_DIR    # writes the same files under OUT_DIR instead

Every figure in the worked example (docs/how-it-works.rst, docs/output.rst,
docs/near-duplicates.rst) comes from these files, and tests/test_docs.py re-runs this script
into a temporary directory and fails when the committed files differ — so when the cleaner
changes, rerun this script and commit what it writes.

Files (paths relative to docs/ or OUT_DIR):

_generated/seed-explain.txt   stdout of ``govclean explain tests/data/seed_page.html --url URL``
_static/seed-explain.html     what ``govclean explain ... --html`` writes for the same page
_generated/seed-clean.json    stdout of ``govclean clean tests/data/seed_page.html --url URL``
_generated/seed-record.json   the item a crawl emits for the seed page: a spider that yields
                              ``{"url": response.url}``, passed through the real
                              GovCleanSpiderMiddleware, GovCleanPipeline and
                              SimhashDedupePipeline (defaults, in-memory index, cleaning inline)
_generated/seed-blocks.csv    the explain decisions grouped into runs (consecutive blocks with one
                              decision, kind and reason), for the table in how-it-works.rst
_generated/seed-evidence.csv  the government-text evidence gov_score finds on the seed page
_generated/dedupe-corpus.csv  near-duplicate quality on the fixture corpus (tests/fixtures): pairwise
                              precision and recall of the index in four page orders and of the rule
_generated/seed-copies.csv    the seven copies of the seed letter in example_project/, checked
                              in manifest order against one in-memory near-duplicate index
"""
from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: The seed page and the URL it was found at (a labour-dispatch company's site).
SEED = "tests/data/seed_page.html"
SEED_URL = "https://www.szjinnuo-lw.com/news/20220429/1532.html"
#: The example project's bundled pages and their manifest (original URLs, headers).
PAGES = "example_project/govclean_example/pages"
SEED_GROUP = "doc:lg-rsj-reply-20180084"

OUTPUTS = (
    "_generated/seed-explain.txt",
    "_static/seed-explain.html",
    "_generated/seed-clean.json",
    "_generated/seed-record.json",
    "_generated/seed-blocks.csv",
    "_generated/seed-evidence.csv",
    "_generated/seed-copies.csv",
    "_generated/dedupe-corpus.csv",
)


@contextlib.contextmanager
def _in_repo():
    """Run with the repository root as working directory (the CLI gets relative paths)."""
    old = os.getcwd()
    os.chdir(REPO)
    try:
        yield
    finally:
        os.chdir(old)


def _cli(argv: list[str]) -> str:
    from scrapy_govclean.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    if code != 0:
        raise SystemExit(f"govclean {' '.join(argv)} exited {code}")
    return out.getvalue()


def _explain(out: Path) -> None:
    text = _cli(["explain", SEED, "--url", SEED_URL])
    (out / "_generated/seed-explain.txt").write_text(text, encoding="utf-8")
    html_path = out / "_static/seed-explain.html"
    _cli(["explain", SEED, "--url", SEED_URL, "--html", str(html_path)])


def _clean(out: Path) -> None:
    text = _cli(["clean", SEED, "--url", SEED_URL])
    (out / "_generated/seed-clean.json").write_text(text, encoding="utf-8")


def _csv(path: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _blocks(out: Path) -> None:
    """Runs of blocks that got the same decision, as ``govclean explain`` shows them."""
    from scrapy_govclean.core import explain_page

    _, decisions = explain_page((REPO / SEED).read_bytes(), SEED_URL)
    runs: list[list] = []
    for d in decisions:
        kind = d.kind or ("title" if d.reason == "title" else "")
        key = ("kept" if d.kept else "removed", kind, d.reason)
        if runs and tuple(runs[-1][1:4]) == key and runs[-1][5] == d.index - 1:
            runs[-1][5] = d.index
            runs[-1][6] += 1
            continue
        runs.append([d.index, *key, _short(d.text), d.index, 1])
    rows = [
        [f"{r[0]}" if r[0] == r[5] else f"{r[0]}–{r[5]}", r[6], r[1], r[2] or "–", r[3], r[4]]
        for r in runs
    ]
    _csv(out / "_generated/seed-blocks.csv", ["blocks", "count", "decision", "kind", "reason", "first block"], rows)


def _evidence(out: Path) -> None:
    """What gov_score finds on the seed page, each item read with the core's own rules."""
    from scrapy_govclean import clean_page
    from scrapy_govclean.govtext import load_gov_rules, title_doc_type

    result = clean_page((REPO / SEED).read_bytes(), SEED_URL)
    prov = result.provenance
    rules = load_gov_rules()
    sample = result.text[:20000]
    phrases = [p for p in rules.official_phrases if p in sample]
    organ = [w for w in rules.organ_words if prov["publisher"] and w in prov["publisher"]]
    commercial = sum(sample.count(w) for w in ("我司", "本公司", "我公司", "我们公司", "欢迎来电", "欢迎咨询"))
    rows = [
        ["signature (issuing body and date on lines of their own)", f"{prov['publisher']} / {prov['date']}"],
        ["document number", prov["doc_number"] or "none"],
        ["title ends with a document type", title_doc_type(result.title) or "no"],
        ["title has 关于", "yes" if "关于" in result.title else "no"],
        ["issuing body named like a state organ", ", ".join(organ) or "no"],
        [f"official phrases ({len(phrases)})", "、".join(phrases) or "none"],
        ["addressed to an official addressee", prov["addressee"] or "no"],
        ["official site", "yes" if prov["official_site"] else "no"],
        ["commercial self-promotion (counts against)", str(commercial)],
        ["gov_score (is_gov)", f"{result.gov_score} ({str(result.is_gov).lower()})"],
    ]
    _csv(out / "_generated/seed-evidence.csv", ["evidence", "on the seed page"], rows)


def _record(out: Path) -> None:
    """The seed page through the real Scrapy components, as one crawl would emit it."""
    from scrapy import Request, Spider
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from scrapy_govclean.middleware import GovCleanSpiderMiddleware
    from scrapy_govclean.pipelines import GovCleanPipeline, SimhashDedupePipeline

    class DemoSpider(Spider):
        name = "docs_example"

    settings = {
        "GOVCLEAN_WORKERS": 0,  # clean inline: no process pool for one page
        "GOVCLEAN_INDEX": "memory://",  # nothing written to disk
        "GOVCLEAN_REJECTS_URI": None,
    }
    crawler = get_crawler(DemoSpider, settings)
    middleware = GovCleanSpiderMiddleware.from_crawler(crawler)
    clean_pipe = GovCleanPipeline.from_crawler(crawler)
    dedupe_pipe = SimhashDedupePipeline.from_crawler(crawler)
    dedupe_pipe.open_spider()
    try:
        response = HtmlResponse(
            SEED_URL,
            body=(REPO / SEED).read_bytes(),
            headers={"Content-Type": "text/html; charset=utf-8"},
            request=Request(SEED_URL),
        )
        (item,) = list(middleware.process_spider_output(response, [{"url": response.url}]))
        item = asyncio.run(clean_pipe.process_item(item))
        item = dedupe_pipe.process_item(item)
    finally:
        dedupe_pipe.close_spider()
        clean_pipe.close_spider()
        middleware.spider_closed()
    text = json.dumps(item, ensure_ascii=False, indent=2) + "\n"
    (out / "_generated/seed-record.json").write_text(text, encoding="utf-8")


def _copies(out: Path) -> None:
    """Every bundled copy of the seed letter against one index, in manifest order."""
    from scrapy_govclean import clean_page
    from scrapy_govclean.dedupe import make_entry
    from scrapy_govclean.index import open_index
    from scrapy_govclean.middleware import _CHARSET_RE

    manifest = json.loads((REPO / PAGES / "manifest.json").read_text("utf-8"))
    rows = []
    with open_index("memory://") as index:
        for rec in manifest:
            if rec.get("group") != SEED_GROUP:
                continue
            m = _CHARSET_RE.search(rec.get("content_type") or "")
            result = clean_page((REPO / PAGES / rec["file"]).read_bytes(), rec["url"],
                                encoding=m.group(1) if m else None)
            prov = result.provenance
            entry = make_entry(result.text, rec["url"], prov, official=bool(prov["official_site"]))
            verdict = index.check_and_insert(entry)
            rows.append([
                rec["file"].split("-", 1)[0],
                prov["site"],
                "yes" if prov["official_site"] else "no",
                len(result.text),
                result.simhash,
                "" if verdict.distance is None else verdict.distance,
                verdict.duplicate_of or "",
                verdict.canonical_url,
                verdict.reason,
            ])
    _csv(out / "_generated/seed-copies.csv",
         ["page", "site", "official", "text chars", "simhash", "bits from match", "duplicate_of",
          "canonical_url", "reason"], rows)


def _dedupe_corpus(out: Path) -> None:
    """Pairwise precision/recall on the fixture corpus, as tests/test_dedupe_corpus.py scores it."""
    import itertools
    import random

    from scrapy_govclean import clean_page
    from scrapy_govclean.dedupe import DedupeParams, decide, make_entry
    from scrapy_govclean.index import open_index

    fixtures = REPO / "tests/fixtures"
    pages = []
    for line in (fixtures / "corpus.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        ct = rec["content_type"]
        charset = ct.split("charset=", 1)[1].strip() if "charset=" in ct else None
        result = clean_page((fixtures / "pages" / f"{rec['page_id']}.html").read_bytes(), rec["url"],
                            encoding=charset)
        prov = result.provenance
        pages.append((rec, make_entry(result.text, rec["url"], prov, official=bool(prov["official_site"]))))

    def score(same_pred) -> list:
        tp = fp = fn = 0
        for a, b in itertools.combinations(range(len(pages)), 2):
            same = pages[a][0]["group"] == pages[b][0]["group"]
            pred = same_pred(a, b)
            tp += same and pred
            fp += pred and not same
            fn += same and not pred
        precision = tp / (tp + fp) if tp + fp else 1.0
        return [tp, fp, fn, f"{precision:.3f}", f"{tp / (tp + fn):.3f}"]

    rows = []
    for seed in range(4):
        order = list(range(len(pages)))
        random.Random(seed).shuffle(order)
        first: dict[int, str] = {}
        with open_index("memory://") as index:
            for k in order:
                rec, entry = pages[k]
                verdict = index.check_and_insert(entry)
                first[k] = verdict.duplicate_of or rec["url"]
        rows.append([f"memory index, page order {seed}", len(set(first.values())),
                     *score(lambda a, b: first[a] == first[b])])
    params = DedupeParams()
    rows.append(["rule alone, every pair (decide)", "", *score(lambda a, b: decide(pages[b][1], pages[a][1], params).duplicate)])
    groups = len({rec["group"] for rec, _ in pages})
    _csv(out / "_generated/dedupe-corpus.csv",
         ["run", f"records (true: {groups})", "true pos. pairs", "false pos.", "false neg.", "precision", "recall"], rows)


def generate(out_dir: str | os.PathLike[str] = DOCS) -> list[Path]:
    """Write every file of :data:`OUTPUTS` under ``out_dir``; return their paths."""
    out = Path(out_dir).resolve()
    for rel in OUTPUTS:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
    with _in_repo():
        _explain(out)
        _clean(out)
        _blocks(out)
        _evidence(out)
        _record(out)
        _copies(out)
        _dedupe_corpus(out)
    return [out / rel for rel in OUTPUTS]


if __name__ == "__main__":
    for path in generate(sys.argv[1] if len(sys.argv) > 1 else DOCS):
        print(path)
