"""Copy the bundled pages from the test fixture corpus and write pages/manifest.json.

Run from the repository checkout after the fixture corpus changes:
    python example_project/update_pages.py
The example project itself never reads tests/: it replays only what is bundled here.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "tests" / "fixtures"
PAGES = HERE / "govclean_example" / "pages"


def main() -> None:
    records = [json.loads(line) for line in (CORPUS / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for old in PAGES.glob("*.html"):
        old.unlink()
    manifest = []
    for rec in records:
        name = rec["page_id"] + ".html"
        shutil.copyfile(CORPUS / "pages" / name, PAGES / name)
        manifest.append({
            "file": name,
            "url": rec["url"],
            "content_type": rec["content_type"],
            "group": rec["group"],
            "kind": rec["kind"],
        })
    (PAGES / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(manifest)} pages bundled in {PAGES.relative_to(HERE)}")


if __name__ == "__main__":
    main()
