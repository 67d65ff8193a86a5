"""Turn the shared corpus (JSON Lines articles) into source files the pipeline ingests.

    python -m benchmarks.corpus CORPUS_DIR OUT_DIR     # writes OUT_DIR/<id>.html, one per article
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

ARTICLE_FILES = ("medquad-en.jsonl", "arabic-qa-ar.jsonl")


def read_articles(corpus_dir: Path, files=ARTICLE_FILES):
    """Yield every article record of the corpus's article files."""
    for name in files:
        with open(corpus_dir / name, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)


def article_html(record: dict) -> str:
    """One corpus article as an HTML page: title, its other names (MedQuAD's `synonyms`) on an
    "Also called" line as MedlinePlus prints them, a heading per section, paragraphs and list items."""
    parts = [f'<!DOCTYPE html>\n<html lang="{html.escape(record.get("lang", "en"))}">',
             f"<head><meta charset=\"utf-8\"><title>{html.escape(record.get('title', ''))}</title></head>",
             "<body>"]
    names = [name for name in record.get("synonyms") or () if name.strip()]
    if names:
        # Names are separated by semicolons, as some hold commas; a single name is ended by one,
        # or its commas would separate it (model.aliases).
        line = "; ".join(names) + (";" if len(names) == 1 else "")
        parts.append(f"<p>Also called: {html.escape(line)}</p>")
    for section in record["sections"]:
        if section.get("heading"):
            parts.append(f"<h2>{html.escape(section['heading'])}</h2>")
        for paragraph in section["text"].split("\n\n"):
            lines = [line for line in paragraph.splitlines() if line.strip()]
            if lines and all(line.lstrip().startswith("- ") for line in lines):
                items = "".join(f"<li>{html.escape(line.lstrip()[2:])}</li>" for line in lines)
                parts.append(f"<ul>{items}</ul>")
            elif lines:
                parts.append(f"<p>{html.escape(' '.join(lines))}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_sources(corpus_dir: Path, out_dir: Path, files=ARTICLE_FILES, copies: int = 1) -> int:
    """Write one HTML file per article (copies > 1 replicates each with a changed id); return the count."""
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for record in read_articles(corpus_dir, files):
        page = article_html(record)
        for copy in range(copies):
            name = record["id"] if copy == 0 else f"{record['id']}-copy{copy}"
            (out_dir / f"{name}.html").write_text(page, encoding="utf-8")
            count += 1
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(write_sources(Path(sys.argv[1]), Path(sys.argv[2])), "articles written")
