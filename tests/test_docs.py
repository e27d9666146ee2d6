"""The README and docs/: every relative link points at a file of the repository, and the map from
the tutorial to gan.py names the lines where each function or class starts."""

import os
import re

from conftest import ROOT

PAGES = ["README.md"] + sorted(
    os.path.relpath(os.path.join(folder, name), ROOT)
    for folder, _, names in os.walk(os.path.join(ROOT, "docs"))
    for name in names
    if name.endswith(".md")
)
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def test_every_relative_link_of_the_docs_exists():
    checked = 0
    for page in PAGES:
        with open(os.path.join(ROOT, page)) as f:
            text = f.read()
        for target, _ in LINK.findall(text):
            if "://" in target:
                continue
            path = os.path.normpath(os.path.join(ROOT, os.path.dirname(page), target))
            assert os.path.exists(path), f"{page} links to {target}, which is not in the repository"
            checked += 1
    assert checked > 30


def test_the_readme_map_names_the_lines_of_gan_py():
    with open(os.path.join(ROOT, "README.md")) as f:
        entries = re.findall(r"\[`(\w+)`\]\(gan\.py#L(\d+)\)", f.read())
    with open(os.path.join(ROOT, "gan.py")) as f:
        lines = f.read().split("\n")
    assert len(entries) >= 12
    for name, line in entries:
        assert re.match(rf"(class|def) {name}\b", lines[int(line) - 1]), f"gan.py line {line} is not {name}"
