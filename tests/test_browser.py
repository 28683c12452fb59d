"""The pages people open, in a real browser: headless Chromium (Debian's, `make browser`) at
1280 px, driven by Playwright, offline.

The report must load nothing but itself, log no console error, show the verdict and every plot,
and fit the window's width; `dvc plots show`'s page must show the bundle's images offline too.
A screenshot of each page is kept in build/screenshots/ (CI keeps that folder as an artifact).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATE, bake, run, shared_setup
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = TEMPLATE / "build" / "screenshots"
# Chromium's own start-up traffic (updates, sync, field trials) goes nowhere on a closed
# network: off, so the page's requests are the only ones.
QUIET = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
    "--no-sandbox",  # root in a container has no user namespace for the sandbox
]
WIDTH = 1280


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = shared_setup(bake(tmp_path_factory.mktemp("browser"), project_name="Browser Demo"))
    run([".venv/bin/dvc", "repro"], project)
    return project


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=QUIET)
        yield chromium
        chromium.close()


class Visit:
    """A page opened at 1280 px, with every console message, page error and request seen."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(path.as_uri(), wait_until="load")

    def images(self) -> list[dict]:
        """Each <img>: its alt text, whether it decoded, and whether it takes up room."""
        return self.page.eval_on_selector_all(
            "img",
            "images => images.map(i => ({alt: i.alt, loaded: i.complete && i.naturalWidth > 0,"
            " width: i.getBoundingClientRect().width}))",
        )

    def shoot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / name), full_page=True)
        return SHOTS / name


def elsewhere(requests: list[str], page: Path) -> list[str]:
    """Requests for anything but the page's own file and its inline data."""
    own = {page.as_uri()}
    return [url for url in requests if url not in own and not url.startswith("data:")]


def test_the_report_in_chromium(project: Path, browser) -> None:
    page = project / "reports" / "report.html"
    visit = Visit(browser, page)
    verdict = json.loads((project / "reports" / "done.json").read_text())
    assert visit.errors == [] and [m for m in visit.console if m.startswith("error")] == []
    assert elsewhere(visit.requests, page) == []  # offline: the page fetches nothing
    assert visit.page.title().startswith("browser-demo: report of ")
    shown = visit.page.locator(".verdict")
    assert shown.is_visible() and shown.inner_text().strip() == verdict["verdict"]
    box = shown.bounding_box()
    assert box is not None and box["y"] < 300  # the verdict is the first thing one sees
    assert visit.page.get_by_text("Forecast: would more rows reach the target?").is_visible()
    images = visit.images()
    plots = sorted(p.stem for p in (project / "artifacts" / "model" / "plots").glob("*.png"))
    assert sorted(image["alt"] for image in images) == plots
    assert all(image["loaded"] and image["width"] > 200 for image in images), images
    # Nothing scrolls sideways at 1280 px: the wide tables fold behind their toggles.
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    hidden = visit.page.get_by_text("Every leaderboard column")
    assert hidden.is_visible() and not visit.page.locator("details table").first.is_visible()
    hidden.click()
    assert visit.page.locator("details table").first.is_visible()
    assert visit.shoot("report.png").stat().st_size > 10_000


def test_dvc_plots_page_shows_the_bundle_images_offline(project: Path, browser) -> None:
    out = project / "dvc_plots"
    shutil.rmtree(out, ignore_errors=True)
    run([".venv/bin/dvc", "plots", "show", "--out", str(out)], project)
    page = out / "index.html"
    visit = Visit(browser, page)
    assert visit.errors == []
    # Its images are files beside the page; nothing comes from a CDN.
    local = [url for url in elsewhere(visit.requests, page) if not url.startswith("file://")]
    assert local == []
    images = visit.images()
    assert len(images) == len(list((project / "artifacts" / "model" / "plots").glob("*.png")))
    assert all(image["loaded"] and image["width"] > 100 for image in images), images
    assert "dvc_plots" not in run(["git", "status", "--porcelain"], project).stdout
    visit.shoot("dvc-plots.png")
