"""The book in a real browser (``make test-book``; marked ``book``, so the core test run leaves it out).

Headless Chromium (Debian's ``chromium`` package, driven by Playwright through ``executable_path``) opens every page
of the built site (``make book`` writes it to build/book/html), served over HTTP from 127.0.0.1, and records what a
reader would meet: console errors and uncaught exceptions, requests that fail or leave the site, images that do not
render, links to pages or anchors that do not exist, formulas MathJax did not typeset. Each lesson must show at least
the figures it declares with ``lesson_banner(figures=N)``. A screenshot of every page (and of each lesson's first
figure) goes to out/book-screenshots/. A few pages are also opened straight from disk (file://).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from symkeras.course.lessons import declared_figures

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("SYMKERAS_BOOK_SITE", ROOT / "build" / "book" / "html"))
SHOTS = ROOT / "out" / "book-screenshots"
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.py"))


def _chromium() -> str:
    path = os.environ.get("SYMKERAS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "no Chromium: install Debian's, `apt-get update && apt-get install -y chromium` "
            "(or point SYMKERAS_CHROMIUM at a Chromium binary)"
        )
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no book in {SITE}: build it with `make book` (or `make test-book`)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _page_path(url: str, base: str) -> str:
    """The site-relative file a same-site URL points at (``dir/`` -> ``dir/index.html``)."""
    path = unquote(urlparse(url).path)[len(urlparse(base).path) :]
    return path + "index.html" if path == "" or path.endswith("/") else path


def _listen(page, log: dict, site_url: str) -> None:
    """Record on ``log`` what ``page`` reports, and abort (and record) every request that leaves the site."""
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and log["console"].append(f"{m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', '')})")
        ),
    )
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("requestfailed", lambda r: r.url.startswith(site_url) and log["failed"].append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and log["bad_status"].append(f"{r.status} {r.url}"))

    def route(route):
        if route.request.url.startswith((site_url, "data:", "blob:", "about:")):
            route.continue_()
        else:
            log["external"].append(route.request.url)
            route.abort()

    page.route("**/*", route)


@pytest.fixture(scope="module")
def visits(site_url):
    """Open every HTML page of the site once; what each page showed and logged, keyed by its site path."""
    sync_playwright = pytest.importorskip("playwright.sync_api", reason="install the docs extra").sync_playwright
    pages = sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.rglob("*.html")
        if p.relative_to(SITE).parts[0] not in ("_sources", "_static")
    )  # _static: the theme's templates
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)
    found = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        for path in pages:
            page = context.new_page()
            log = {"console": [], "errors": [], "failed": [], "external": [], "bad_status": []}
            _listen(page, log, site_url)
            page.goto(site_url + path, wait_until="load")
            page.evaluate("() => window.MathJax?.startup?.promise")
            page.evaluate("() => Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
            log.update(
                page.evaluate("""() => ({
                links: [...document.querySelectorAll('a[href]')].map(a => a.href),
                ids: [...document.querySelectorAll('[id]')].map(e => e.id),
                images: [...document.images].map(i => ({src: i.currentSrc || i.src, width: i.naturalWidth,
                                                       output: !!i.closest('.cell_output')})),
                maths: document.querySelectorAll('.math').length,
                typeset: document.querySelectorAll('.math mjx-container, mjx-container').length,
                title: document.title,
                text: document.querySelector('article')?.innerText.length ?? 0,
            })""")
            )
            page.screenshot(path=str(SHOTS / (path.removesuffix(".html").replace("/", "__") + ".png")))
            if path.startswith("lessons/") and path != "lessons/index.html":
                figure = page.locator(".cell_output img").first
                if figure.count():
                    figure.scroll_into_view_if_needed()
                    page.screenshot(
                        path=str(SHOTS / (path.removesuffix(".html").replace("/", "__") + "__first-figure.png"))
                    )
            found[path] = log
            page.close()
        browser.close()
    return found


def test_the_book_has_every_part(visits):
    lessons = [p for p in visits if re.fullmatch(r"lessons/\d\d_\w+\.html", p)]
    assert [p.split("/")[1][:2] for p in lessons] == [s.name[:2] for s in LESSONS]
    exercises = [p for p in visits if re.fullmatch(r"exercises/ex\d\d_\w+\.html", p)]
    assert len(exercises) == len(list((ROOT / "exercises").glob("ex[0-9][0-9]_*.py")))
    for part in (
        "index.html",
        "results.html",
        "api/index.html",
        "api/symkeras.groups.html",
        "api/symkeras.equivariance.html",
        "genindex.html",
        "search.html",
    ):
        assert part in visits, f"{part} missing from the book"
    empty = [p for p, v in visits.items() if v["text"] < 200 and not p.startswith(("search", "genindex", "_"))]
    assert not empty, f"pages with (almost) no text: {empty}"


def test_no_console_errors_or_uncaught_exceptions(visits):
    bad = {p: v["console"] + v["errors"] for p, v in visits.items() if v["console"] or v["errors"]}
    assert not bad, f"console errors on {len(bad)} page(s): {dict(list(bad.items())[:5])}"


def test_every_request_succeeds_and_stays_on_the_site(visits):
    external = {u for v in visits.values() for u in v["external"]}
    assert not external, f"the book loads from other hosts (it must work offline): {sorted(external)[:10]}"
    failed = {p: v["failed"] + v["bad_status"] for p, v in visits.items() if v["failed"] or v["bad_status"]}
    assert not failed, f"failed requests on {len(failed)} page(s): {dict(list(failed.items())[:5])}"


def test_no_broken_internal_links(visits, site_url):
    broken = []
    for path, v in visits.items():
        for link in v["links"]:
            if not link.startswith(site_url):
                continue
            target, fragment = urldefrag(link)
            file = _page_path(target, site_url)
            if not (SITE / file).is_file():
                broken.append(f"{path} -> {file} (no such file)")
            elif fragment and file in visits and unquote(fragment) not in visits[file]["ids"]:
                broken.append(f"{path} -> {file}#{fragment} (no such anchor)")
    assert not broken, f"{len(broken)} broken internal link(s): {sorted(set(broken))[:15]}"


def test_every_image_renders(visits):
    broken = {p: [i["src"] for i in v["images"] if i["width"] == 0] for p, v in visits.items()}
    broken = {p: b for p, b in broken.items() if b}
    assert not broken, f"images that did not render: {broken}"


@pytest.mark.parametrize("script", LESSONS, ids=lambda p: p.stem)
def test_lesson_shows_its_declared_figures(visits, script):
    page = visits[f"lessons/{script.stem}.html"]
    rendered = sum(1 for i in page["images"] if i["output"] and i["width"] > 0)
    declared = declared_figures(script)
    assert declared and rendered >= declared, (
        f"{script.stem}: {rendered} figures rendered in the browser, the lesson declares {declared}"
    )


def test_formulas_are_typeset(visits):
    with_maths = {p: v for p, v in visits.items() if v["maths"]}
    assert any(p.startswith("lessons/") for p in with_maths), "no lesson page has formulas: is dollarmath on?"
    untypeset = [p for p, v in with_maths.items() if v["typeset"] < v["maths"]]
    assert not untypeset, f"MathJax left formulas untypeset on: {untypeset}"


def test_opens_from_disk_without_a_server():
    """A reader may open build/book/html/index.html straight from disk (file://): the same pages work there too."""
    sync_playwright = pytest.importorskip("playwright.sync_api", reason="install the docs extra").sync_playwright
    if not (SITE / "index.html").exists():
        pytest.fail(f"no book in {SITE}: build it with `make book` (or `make test-book`)")
    maths = next(p for p in sorted((SITE / "lessons").glob("*.html")) if 'class="math' in p.read_text())
    problems = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        for path in (SITE / "index.html", maths, SITE / "search.html"):
            page = browser.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(path.as_uri(), wait_until="load")
            page.evaluate("() => window.MathJax?.startup?.promise")
            typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
            if errors or (path == maths and not typeset):
                problems[path.name] = errors or ["formulas not typeset"]
            page.close()
        browser.close()
    assert not problems, f"opened from disk: {problems}"
