#!/usr/bin/env python3
"""Checks that every relative link in README.md and the Markdown files under docs/, bench/ and
fuzz/ points at a file (or directory) of the repository, and that every #anchor into a Markdown
file names one of its headings (GitHub's slug rule). Exit 1 with one line per broken link."""
import pathlib
import re
import sys
import unicodedata

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
files = [root / "README.md"] + sorted(
    p for d in ("docs", "bench", "fuzz", "tests", "web") if (root / d).is_dir()
    for p in (root / d).rglob("*.md") if "node_modules" not in p.parts)
link = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
code = re.compile(r"```.*?```", re.S)


def slug(heading):
    s = heading.strip().lower()
    s = "".join(c for c in s if c in " -_" or unicodedata.category(c)[0] in "LN")
    return s.replace(" ", "-")


def anchors(md):
    text = code.sub("", md.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*?)\s*#*$", text, re.M)}


broken = []
checked = 0
for f in files:
    if not f.exists():
        continue
    text = code.sub("", f.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)
    for m in link.finditer(text):
        target = m.group(1)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        checked += 1
        path, _, anchor = target.partition("#")
        dest = f if not path else (f.parent / path).resolve()
        rel = f.relative_to(root)
        if not dest.exists():
            broken.append(f"{rel}: link to {target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{rel}: link to {target}: no heading #{anchor} in {dest.name}")
for b in broken:
    print(b)
print(f"{checked} relative links checked in {len(files)} files, {len(broken)} broken")
sys.exit(1 if broken else 0)
