"""``check --format html``: one page that asks no other host for anything, shows every
finding on its file's text, and keeps corpus text as data (parsed here, and rendered in
headless Chromium when it is installed: ``apt-get install -y chromium``; in CI it must be)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from validators.output.html import INVISIBLE

CLEAN = "The talks ended without agreement, officials in Seoul said on Monday evening.\n"
STORY = (
    "Kim Jong-un met the delegation on Monday, officials in Seoul said after the talks ended.\n\n"
    "Kim Jong Un later said the talks would continue next week in the capital, aides added.\n\n"
    "Sign up for our daily newsletter\n\n"
    "The no-break\u00a0space stays in this sentence about Kim Jong Un until someone repairs it.\n"
)
PAYLOADS = (
    "Officials said the talks would continue next week in Geneva, a spokesman confirmed.\n\n"
    "Sign up for our newsletter <script>document.documentElement.setAttribute('x'+'ss','script')</script>\n\n"
    "Click here <img src=x onerror=\"document.documentElement.setAttribute('x'+'ss','img')\"> to read more\n\n"
    '<a href="javascript:document.documentElement.setAttribute(\'x\'+\'ss\',\'link\')">Click to Read More</a>\n\n'
    "The end </style><style>body{display:none}</style> of <!-- the --> page ]]></script> said\n\n"
    "Kim Jong\u202eun met Pyong\u200byang officials on Tuesday \u2028 in the capital, aides said.\n"
)
HOSTILE_NAME = "<img src=x onerror=alert(1)>\u202e.txt"


class Elements(HTMLParser):
    """Every element of a page, with its attributes, and the text of each script element."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.elements if tag == name]


def html_report(cli, folder, tmp_path, *extra) -> str:
    target = tmp_path / "report.html"
    result = cli("check", folder, "--format", "html", "--output", target, *extra)
    assert result.exit_code in (0, 1), result.output
    assert result.stdout == ""
    return target.read_text(encoding="utf-8")


def page_data(page: str) -> dict:
    parsed = Elements(page)
    assert parsed.tags("script")[0] == {"type": "application/json", "id": "report-data"}
    return json.loads(parsed.scripts[0])


# ----------------------------------------------------------------------------- the page itself


def test_page_is_self_contained_and_forbids_requests(cli, corpus, tmp_path):
    page = html_report(cli, corpus({"a.txt": STORY, "b.txt": CLEAN}), tmp_path)
    assert "://" not in page  # names no other host, not even a schema's
    parsed = Elements(page)
    assert not parsed.tags("link") and not parsed.tags("img") and not parsed.tags("iframe")
    assert all("src" not in attrs for _, attrs in parsed.elements)
    (policy,) = [a["content"] for a in parsed.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert len(parsed.tags("style")) == 1 and len(parsed.tags("script")) == 2
    assert parsed.tags("svg"), "the chart by code"


def test_summary_counts_by_family_code_and_file(cli, corpus, tmp_path):
    page = html_report(cli, corpus({"a.txt": STORY, "b.txt": CLEAN}), tmp_path)
    data = page_data(page)
    codes = sorted({f["c"] for f in data["findings"]})
    assert codes == ["BP001", "EN008", "NM001"]
    for code in codes:
        assert f'href="#code={code}"' in page  # a row of the table and a bar of the chart
    assert 'href="#fam=noise"' in page and 'href="#fam=name"' in page and 'href="#fam=duplicate"' not in page
    assert "corpus/a.txt</a>" in page  # in the files with the most findings; the clean file is not
    assert [f["p"] for f in data["files"]] == ["corpus/a.txt", "corpus/b.txt"]
    assert data["files"][1]["t"] is None  # a clean file is listed, its text not copied


def test_spans_point_at_the_text_findings_name(cli, corpus, tmp_path):
    # An emoji before the name: JavaScript counts it as two code units, Python as one.
    page = html_report(cli, corpus({"a.txt": "\U0001f600 " + STORY}), tmp_path)
    data = page_data(page)
    text = data["files"][0]["t"].encode("utf-16-le")
    spans = {f["c"]: text[2 * f["a"] : 2 * f["b"]].decode("utf-16-le") for f in data["findings"]}
    assert spans["NM001"] == "Kim Jong-un"
    assert spans["BP001"] == "Sign up for our daily newsletter"
    assert spans["EN008"] == "\u00a0"


def test_fixable_finding_carries_the_diff_fix_would_make(cli, corpus, tmp_path):
    page = html_report(cli, corpus({"a.txt": STORY}), tmp_path)
    by_code = {f["c"]: f for f in page_data(page)["findings"]}
    assert by_code["EN008"]["d"].splitlines() == [
        "@@ -7,1 +7,1 @@",
        "-The no-break\u00a0space stays in this sentence about Kim Jong Un until…",  # cut at a word, 60 characters on
        "+The no-break space stays in this sentence about Kim Jong Un until…",
    ]
    assert by_code["NM001"]["d"].splitlines()[2].startswith("+Kim Jong Un met the delegation")
    assert "d" not in by_code["BP001"]  # not fixable: no diff


def test_related_places_link_to_the_other_file(cli, corpus, tmp_path):
    page = html_report(cli, corpus({"a.txt": STORY, "b.txt": "Kim Jong Un spoke.\n\nKim Jong Un left.\n"}), tmp_path)
    data = page_data(page)
    (variant,) = [f for f in data["findings"] if f["c"] == "NM001"]
    files = [f["p"] for f in data["files"]]
    targets = {(files[r[0]], r[1], r[2]) for r in variant["r"]}
    assert ("corpus/b.txt", 1, 1) in targets and ("corpus/a.txt", 3, 1) in targets
    assert variant["n"] == len(variant["r"])


# ----------------------------------------------------------------------------- corpus text is data


def test_hostile_text_and_file_name_stay_data(cli, corpus, tmp_path):
    folder = corpus({"a.txt": PAYLOADS, HOSTILE_NAME: PAYLOADS.replace("Geneva", "Berne")})
    page = html_report(cli, folder, tmp_path)
    parsed = Elements(page)
    assert {tag for tag, _ in parsed.elements} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "span", "section", "div",
        "b", "table", "tr", "th", "td", "a", "svg", "g", "title", "text", "rect", "noscript", "script", "ul", "li",
    }  # fmt: skip
    assert not parsed.tags("img") and not parsed.tags("textarea")
    assert len(parsed.tags("script")) == 2 and len(parsed.tags("style")) == 1
    for _, attrs in parsed.elements:
        assert not any(name.startswith("on") for name in attrs)
        assert not any("javascript:" in (value or "") for value in attrs.values())
    assert page.count("<script") == 2 and page.count("</script") == 2 and page.count("<style") == 1
    assert "<!--" not in page
    assert not INVISIBLE.search(page) and "\u2028" not in page  # as badges in the page, \u escapes in its data
    assert '<span class="cp">U+202E</span>' in page  # the file name's override, shown
    data = json.loads(parsed.scripts[0])
    assert {f["p"] for f in data["files"]} == {"corpus/a.txt", "corpus/" + HOSTILE_NAME}
    assert PAYLOADS in [f["t"] for f in data["files"]]  # nothing lost on the way


# ----------------------------------------------------------------------------- in a real browser


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is not installed, and CI must run the browser tests (.ci/run installs it)")
    pytest.skip("chromium is not installed (apt-get install -y chromium): the browser tests need it")


def browse(page: Path, fragment: str = "", screenshot: Path | None = None) -> str:
    """The DOM headless Chromium builds for ``page`` (after its script ran), from a fresh profile."""
    binary = chromium()
    profile = tempfile.mkdtemp(prefix="cv-chromium-")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}"]  # fmt: skip
    try:
        url = page.resolve().as_uri() + fragment
        if screenshot:
            subprocess.run([binary, *flags, "--hide-scrollbars", "--window-size=1280,1600", f"--screenshot={screenshot}", url],
                           capture_output=True, timeout=120, check=True)  # fmt: skip
        return subprocess.run([binary, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def rows(dom: str) -> list[str]:
    """The codes of the findings the list shows, in order."""
    return re.findall(r'<tr class="sev-\w+" data-finding="\d+">.*?<span class="code fam-\w+"[^>]*>(\w+)</span>', dom)


@pytest.fixture
def noisy_page(cli, corpus, tmp_path):
    # The prompt sits inside the story: the patterns unarbitrated by the noise score, so it is an error.
    (tmp_path / "pyproject.toml").write_text("[tool.corpus-validator.noise]\npattern_threshold = 0\n", encoding="utf-8")
    folder = corpus({"a.txt": STORY, "b.txt": "Kim Jong Un spoke.\n\nKim Jong Un left.\n", "c.txt": CLEAN})
    html_report(cli, folder, tmp_path)
    return tmp_path / "report.html"


def test_browser_shows_every_finding_and_filters_them(noisy_page, tmp_path):
    shot = tmp_path / "report.png"
    dom = browse(noisy_page, screenshot=shot)
    assert sorted(rows(dom)) == ["BP001", "EN008", "NM001"]
    assert "3 of 3 findings" in dom
    assert shot.stat().st_size > 20_000  # a page was drawn (looked at by hand when the page changes)
    filtered = browse(noisy_page, "#sev=info,warning")
    assert rows(filtered) == ["EN008"] and "1 of 3 findings" in filtered
    assert rows(browse(noisy_page, "#fam=name,noise")) == ["NM001", "BP001"]
    assert rows(browse(noisy_page, "#q=newsletter")) == ["BP001"]


def test_browser_file_view_highlights_spans_and_shows_the_finding(noisy_page):
    data = page_data(noisy_page.read_text(encoding="utf-8"))
    (variant,) = [f for f in data["findings"] if f["c"] == "NM001"]
    dom = browse(noisy_page, f"#open={variant['f']}&at={variant['a']}")
    marks = re.findall(r'<mark class="fam-(\w+) sev-(\w+)[^"]*" data-o="\d+"[^>]*>(.*?)</mark>', dom)
    assert ("name", "error", "Kim Jong-un") in marks
    assert ("encoding", "info", '<span class="cp" title="U+00A0">NBSP</span>') in marks
    assert ("noise", "error", "Sign up for our daily newsletter") in marks
    at_place = dom.split("At this place", 1)[1].split("All findings in this file", 1)[0]
    assert "write “Kim Jong Un”" in at_place and 'class="diff"' in at_place
    assert "corpus/b.txt:1:1</a>" in at_place  # the related place, a link across files


def test_browser_runs_none_of_the_hostile_text(cli, corpus, tmp_path):
    folder = corpus({"a.txt": PAYLOADS, HOSTILE_NAME: PAYLOADS.replace("Geneva", "Berne")})
    page = tmp_path / "report.html"
    html_report(cli, folder, tmp_path)
    for fragment in ("", "#open=0", "#open=1"):
        dom = browse(page, fragment)
        head = dom.split("<body", 1)[0]
        assert "xss=" not in head  # no payload ran (each would set this attribute on <html>)
        parsed = Elements(dom)
        assert not parsed.tags("img") and not parsed.tags("textarea")
        assert len(parsed.tags("style")) == 1 and len(parsed.tags("script")) == 2
        assert not [a for a in parsed.tags("a") if "javascript:" in a.get("href", "")]
        assert "\u202e" not in dom.split('id="report-data"')[0]  # shown as a badge, never applied
    assert "&lt;img src=x onerror=" in dom and "&lt;script&gt;document" in dom  # shown as text
