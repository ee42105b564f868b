"""The pages' stylesheet parses whole: an unclosed block once swallowed the desktop layout of the overview into a
phone-width media query (the goal cards lost their grid at 1280 px)."""

from __future__ import annotations

from pathlib import Path

import tinycss2  # the CSS parser WeasyPrint uses (installed with it)

import smartspec

CSS = Path(smartspec.__file__).parent / "web" / "static" / "style.css"
DESKTOP_RULES = (".goals", ".goal-card", "dl.headline > div", ".map-row", ".region-card")


def test_the_stylesheet_has_no_parse_error_and_its_layout_rules_apply_at_every_width() -> None:
    rules = tinycss2.parse_stylesheet(CSS.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    errors = [f"line {r.source_line}: {r.message}" for r in rules if r.type == "error"]
    assert not errors
    top = {tinycss2.serialize(r.prelude).strip() for r in rules if r.type == "qualified-rule"}
    for selector in DESKTOP_RULES:
        assert any(selector in s.split(", ") or s == selector for s in top), selector
    # every block is closed: a media query's body holds no other at-rule's selectors by accident
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            assert all(r.type != "error" for r in inner)
