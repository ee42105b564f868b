"""Downloads in a browser: the CSV and XLSX links of the search page and of an indicator's record list, clicked as a
user would, give the rows the page shows, under the same filters and in the same order."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

HYDRO_TITLE = "Hydrogen valleys of the North: electrolysers; storage and use"


def download(page: Any, link_name: str, tmp_path: Path) -> tuple[str, list[dict[str, str]]]:
    """Click the page's own download link and read the file it gives: (file name, rows as text by column)."""
    with page.expect_download() as started:
        page.locator("main").get_by_role("link", name=link_name, exact=True).click()
    got = started.value
    path = tmp_path / got.suggested_filename
    got.save_as(path)
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return got.suggested_filename, list(csv.DictReader(handle))
    book = load_workbook(path, read_only=True)
    table = [["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    header = table[0]  # a write-only sheet has no dimensions: read-only rows end at their last written cell
    return got.suggested_filename, [dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))
                                    for row in table[1:]]  # fmt: skip


def ids_in(page: Any, selector: str, pattern: str) -> list[str]:
    """The ids in the links ``selector`` finds (``pattern`` captures the id from the href)."""
    return [re.fullmatch(pattern, href).group(1) for href in page.locator(selector).evaluate_all(  # type: ignore[union-attr]
        "links => links.map(a => a.getAttribute('href'))")]  # fmt: skip


@pytest.mark.parametrize("output", ["CSV", "XLSX"])
def test_search_results_download_as_the_page_shows_them(page: Any, live_server: str, output: str,
                                                         tmp_path: Path) -> None:  # fmt: skip
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/search?lang=en")
    page.locator("#filters").get_by_role("link", name=re.compile("^European Regional Development Fund")).click()
    page.get_by_role("navigation", name="Order").get_by_role("link", name="title").click()
    assert "fund=EAKR" in page.url and "sort=title" in page.url
    shown = int(re.sub(r"\D", "", page.locator("#results-heading").inner_text()))
    ids = ids_in(page, "li.hit h3 a", r"/projects/(\d+)")
    titles = page.locator("li.hit h3 a").all_inner_texts()
    assert shown >= 2 and len(ids) == shown  # the filtered results fit on the page: every row can be compared

    name, rows = download(page, output, tmp_path)
    assert name == f"projects.{output.lower()}"
    assert [row["id"] for row in rows] == ids  # the same projects in the same order
    assert [row["title"] for row in rows] == titles
    assert {row["fund"] for row in rows} == {"EAKR"}


@pytest.mark.parametrize("output", ["CSV", "XLSX"])
def test_indicator_records_download_as_the_page_lists_them(page: Any, live_server: str, output: str,
                                                            tmp_path: Path) -> None:  # fmt: skip
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/indicators/g2_eu_funding?lang=en")
    page.get_by_role("link", name=re.compile("^North Ostrobothnia 2023")).click()
    assert "year=2023" in page.url and "region=FI1D9" in page.url
    count = page.locator("p.count").inner_text()
    listed = int(re.search(r"(\d+)", count).group(1))  # type: ignore[union-attr]
    projects = ids_in(page, "table.records tbody th a", r"/projects/(\d+)")
    organisations = ids_in(page, "table.records tbody td a[href^='/organisations/']", r"/organisations/(\d+)")
    assert listed >= 1 and len(projects) == listed and page.get_by_role("link", name=HYDRO_TITLE).count() >= 1

    name, rows = download(page, output, tmp_path)
    assert name == f"g2_eu_funding-2023-FI1D9.{output.lower()}"
    assert [(row["project_id"], row["organisation_id"]) for row in rows] == list(
        zip(projects, organisations, strict=True)
    )
    assert [row["project_title"] for row in rows] == page.locator("table.records tbody th a").all_inner_texts()
    assert {(row["indicator"], row["year"], row["value_region"]) for row in rows} == {
        ("g2_eu_funding", "2023", "FI1D9")
    }
