"""The ``govclean`` console command: clean or explain saved pages without a crawler.

    govclean clean PAGE.html --url URL [--encoding ENC]        # one page: JSON on stdout
    govclean clean DIR_OR_FILES... -o out.jsonl                # many pages: JSONL + progress
    govclean explain PAGE.html --url URL [--html OUT.html]     # every block, kept or removed
"""
from __future__ import annotations

import argparse
import html as html_lib
import json
import sys
from pathlib import Path
from typing import Iterator, Sequence

from .core import LineDecision, clean_page, explain_page
from .result import CleanConfig, CleanResult

__all__ = ["main", "render_explain_html"]

_PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".asp", ".aspx", ".php", ".jsp"}


def _iter_pages(paths: Sequence[str]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in _PAGE_SUFFIXES)
        else:
            yield p


def _config(args: argparse.Namespace) -> CleanConfig:
    return CleanConfig(
        official_domains=tuple(args.official_domain or ()),
        min_gov_score=args.min_gov_score,
    )


def _record(result: CleanResult, source: Path | None = None) -> dict:
    out = result.to_dict()
    if source is not None:
        out["source_file"] = str(source)
    return out


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_clean(args: argparse.Namespace) -> int:
    pages = list(_iter_pages(args.pages))
    if not pages:
        print("govclean: no pages found", file=sys.stderr)
        return 2
    config = _config(args)
    if len(pages) == 1 and not args.output:
        result = clean_page(pages[0].read_bytes(), args.url or "", encoding=args.encoding, config=config)
        json.dump(_record(result), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        for n, page in enumerate(pages, 1):
            url = args.url or page.resolve().as_uri()
            try:
                result = clean_page(page.read_bytes(), url, encoding=args.encoding, config=config)
            except OSError as exc:
                print(f"\ngovclean: cannot read {page}: {exc}", file=sys.stderr)
                continue
            out.write(json.dumps(_record(result, page), ensure_ascii=False) + "\n")
            if args.output:
                _progress(n, len(pages))
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def render_explain_html(result: CleanResult, decisions: list[LineDecision], url: str = "") -> str:
    """A page a person can read: every block in order, removed ones struck through and labelled."""
    esc = html_lib.escape
    rows = []
    for d in decisions:
        if d.kept:
            rows.append(f'<div class="kept"><span class="tag">kept</span> {esc(d.text)}</div>')
        else:
            label = d.kind or ("title" if d.reason == "title" else "removed")
            rows.append(
                f'<div class="removed {esc(label)}"><span class="tag">{esc(label)}</span> '
                f'<s>{esc(d.text)}</s> <span class="why">{esc(d.reason)}</span></div>'
            )
    prov = json.dumps(result.provenance, ensure_ascii=False, indent=2)
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>govclean explain</title><style>"
        "body{font:14px/1.5 sans-serif;max-width:60em;margin:2em auto}"
        ".kept{border-left:4px solid #2a2;padding-left:.5em}"
        ".removed{border-left:4px solid #c33;padding-left:.5em;color:#777}"
        ".tag{display:inline-block;min-width:7em;font:12px monospace;color:#000;background:#eee;margin-right:.5em}"
        ".why{font-size:11px;color:#a55}"
        "</style></head><body>"
        f"<h1>{esc(result.title or '(no title)')}</h1>"
        f"<p>{esc(url)} — is_gov: {result.is_gov} (score {result.gov_score})</p>"
        f"<pre>{esc(prov)}</pre>" + "\n".join(rows) + "</body></html>\n"
    )


def cmd_explain(args: argparse.Namespace) -> int:
    page = Path(args.page)
    result, decisions = explain_page(page.read_bytes(), args.url or "", encoding=args.encoding, config=_config(args))
    for d in decisions:
        mark = "KEEP" if d.kept else "DROP"
        kind = d.kind or ("title" if d.reason == "title" else "-")
        text = d.text if len(d.text) <= 70 else d.text[:67] + "..."
        print(f"{d.index:4d} {mark} {kind:<13} {text}    [{d.reason}]")
    print(f"\ntitle: {result.title}\nis_gov: {result.is_gov} (gov_score {result.gov_score})")
    print("provenance: " + json.dumps(result.provenance, ensure_ascii=False))
    if args.html:
        Path(args.html).write_text(render_explain_html(result, decisions, args.url or ""), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govclean", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--url", help="the page's original URL (provenance: site, official_site)")
        p.add_argument("--encoding", help="charset of the file's bytes, if known")
        p.add_argument("--official-domain", action="append", help="extra official domain (repeatable)")
        p.add_argument("--min-gov-score", type=float, default=0.5, help="is_gov threshold (default 0.5)")

    clean = sub.add_parser("clean", help="print the clean result as JSON (JSONL for many pages)")
    clean.add_argument("pages", nargs="+", help="HTML files or directories")
    clean.add_argument("-o", "--output", help="write JSONL here (with a progress bar)")
    common(clean)
    clean.set_defaults(func=cmd_clean)

    explain = sub.add_parser("explain", help="show every block, kept or removed, and why")
    explain.add_argument("page")
    explain.add_argument("--html", help="also write the explanation as an HTML page")
    common(explain)
    explain.set_defaults(func=cmd_explain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
