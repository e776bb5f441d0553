"""Shared fixtures of the browser tests: one `kg serve` over the seed graph plus the hostile test
graph, one headless Chromium, and a page that fails its test on any request off 127.0.0.1.

Loaded as a pytest plugin by conftest.py, so every test module can ask for these fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pagedata
import pyoxigraph as ox
import pytest

from kg.config import Config

# KG_TEST_CHROMIUM names another Chromium binary; without it, Debian's `chromium` on PATH.
CHROMIUM = os.environ.get("KG_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_FIXTURES = {"browser", "page", "mobile_page"}
MISSING = (
    "the browser tests need Debian's Chromium, and {chromium} is not there. Install it with\n"
    "    sudo apt-get install chromium\n"
    "(or set KG_TEST_CHROMIUM to a Chromium binary), then run pytest again."
)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
B = "https://w3id.org/geoclaims/"
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Before any browser test runs, make sure Chromium is there: install it through apt as root,
    as `.ci/run` does, or stop the whole run at once with one message saying how to get it."""
    if not any(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) for item in items):
        return
    if not Path(CHROMIUM).exists() and not os.environ.get("KG_TEST_CHROMIUM"):
        _install_chromium()
    if not Path(CHROMIUM).exists():
        pytest.exit(MISSING.format(chromium=CHROMIUM), returncode=4)


def _install_chromium() -> None:
    """`apt-get install chromium` when running as root on a Debian-like system; else nothing."""
    if os.environ.get("KG_TEST_INSTALL", "1") == "0" or not shutil.which("apt-get"):
        return
    if os.geteuid() != 0:
        return
    print("\nInstalling Debian's chromium for the browser tests (apt-get install chromium) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False)


@dataclass
class Site:
    """A running `kg serve`: its base URL and its data directory."""

    url: str
    data_dir: Path


@pytest.fixture(scope="session")
def site(seed_config: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`kg serve` over a copy of the seed graph plus the hostile test graph (XSS cases)."""
    from conftest import run_kg_server

    data_dir = tmp_path_factory.mktemp("browser-store") / "store"
    shutil.copytree(seed_config.data_dir, data_dir)
    store = ox.Store(str(data_dir))
    store.bulk_extend(ox.parse(pagedata.trig(B).encode(), ox.RdfFormat.TRIG))
    store.flush()
    del store
    from kg import search

    # Added behind the store's back (no version change): the site index is built afresh.
    search.refresh(Config.load({"data_dir": str(data_dir)}, environ={}), force=True)
    with run_kg_server(data_dir, workers=1, source_dir=seed_config.source_dir) as server:
        yield Site(server.base, data_dir)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Guard:
    """What a page tried that it must not: requests off 127.0.0.1, dialogs, CSP refusals."""

    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"
        assert not self.dialogs, f"dialogs fired: {self.dialogs}"
        assert not self.csp, f"the Content-Security-Policy refused: {self.csp}"


def guarded_page(browser: Any, viewport: dict[str, int] = DESKTOP) -> tuple[Any, Any, Guard]:
    """(context, page, guard): a fresh page whose every request is checked."""
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    guard = Guard()

    def route(r: Any) -> None:
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https") and parts.hostname != "127.0.0.1":
            guard.outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    def dialog(d: Any) -> None:
        guard.dialogs.append(d.message)
        d.dismiss()

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            guard.csp.append(message.text)

    context.route("**/*", route)  # the context's route also covers pages it opens
    tab.on("dialog", dialog)
    tab.on("console", console)
    return context, tab, guard


@pytest.fixture()
def page(browser: Any, site: Site) -> Iterator[tuple[Any, Guard]]:
    """A fresh desktop-sized page; anything not for 127.0.0.1 fails the test."""
    context, tab, guard = guarded_page(browser)
    yield tab, guard
    context.close()
    guard.check()


def shot(tab: Any, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)
