"""The README and docs/: every relative link points at a file of the repository and every anchor
at a heading of its page, every section that the program's text or the docs name by its title
exists, and the map from the tutorial to gan.py names the lines where each function or class starts."""

import os
import re

from conftest import ROOT

from gan1d import metrics

PAGES = ["README.md"] + sorted(
    os.path.relpath(os.path.join(folder, name), ROOT)
    for folder, _, names in os.walk(os.path.join(ROOT, "docs"))
    for name in names
    if name.endswith(".md")
)
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def relative_links():
    """(page, target, anchor, target's path from the root) of every relative link of the docs."""
    for page in PAGES:
        with open(os.path.join(ROOT, page)) as f:
            text = f.read()
        for target, anchor in LINK.findall(text):
            if "://" not in target:
                path = os.path.relpath(os.path.normpath(os.path.join(ROOT, os.path.dirname(page), target)), ROOT)
                yield page, target, anchor, path


def test_every_relative_link_of_the_docs_exists():
    links = list(relative_links())
    for page, target, _, path in links:
        assert os.path.exists(os.path.join(ROOT, path)), f"{page} links to {target}, which is not in the repository"
    assert len(links) > 30


def test_the_readme_map_names_the_lines_of_gan_py():
    with open(os.path.join(ROOT, "README.md")) as f:
        entries = re.findall(r"\[`(\w+)`\]\(gan\.py#L(\d+)\)", f.read())
    with open(os.path.join(ROOT, "gan.py")) as f:
        lines = f.read().split("\n")
    assert len(entries) >= 12
    for name, line in entries:
        assert re.match(rf"(class|def) {name}\b", lines[int(line) - 1]), f"gan.py line {line} is not {name}"


SOURCES = ["gan.py"] + sorted(
    os.path.relpath(os.path.join(folder, name), ROOT)
    for part in ("gan1d", "studies", "benchmarks")
    for folder, _, names in os.walk(os.path.join(ROOT, part))
    for name in names
    if name.endswith(".py")
)
# A section named by its title: README's "Title", docs/page.md, "Title" (in code or prose).
SECTION = re.compile(r"(README(?:\.md)?|docs/[\w/.-]+\.md)(?:'s)?,? (?:section )?\"([^\"]+)\"")
DOC_PATH = re.compile(r"\b(docs/[\w/.-]+\.md)\b")


def text_of(path):
    with open(os.path.join(ROOT, path)) as f:
        return " ".join(f.read().split())  # a reference may be wrapped over lines


def headings(page):
    with open(os.path.join(ROOT, page)) as f:
        return [line.lstrip("#").strip() for line in f if line.startswith("#")]


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_every_section_named_by_the_program_or_the_docs_exists():
    named = 0
    texts = {source: text_of(source) for source in SOURCES + PAGES}
    texts["the advice printed after a failed run"] = metrics.ADVICE
    for source, text in texts.items():
        for page, title in SECTION.findall(text):
            page = "README.md" if page.startswith("README") else page
            assert title in headings(page), f'{source} names {page}, "{title}", which has no such section'
            named += 1
        for page in DOC_PATH.findall(text):
            assert os.path.exists(os.path.join(ROOT, page)), f"{source} names {page}, which does not exist"
    assert named >= 2  # the advice after a failed run, the modes preset's comment


def test_every_anchor_of_a_docs_link_is_a_heading_of_its_page():
    anchored = [link for link in relative_links() if link[2] and link[1].endswith(".md")]
    for page, target, anchor, path in anchored:
        assert anchor[1:] in {slug(h) for h in headings(path)}, f"{page} links to {target}{anchor}"
    assert len(anchored) >= 3
