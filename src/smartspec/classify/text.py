"""The text a record is classified by, and its language."""

from __future__ import annotations

import re

from smartspec.store import models as m

_FINNISH = re.compile(r"[äö]|\b(ja|sekä|hanke|kehittäminen|yrityksen|osaamisen|palvelu\w*)\b", re.IGNORECASE)


def guess_language(text: str) -> str:
    """'fi' for Finnish-looking text, else 'en' (the registers are Finnish, CORDIS is English)."""
    return "fi" if _FINNISH.search(text) else "en"


def project_text(project: m.Project, labels: list[str]) -> tuple[str, str]:
    """(text, language) of a project: title, summary, call topic and its EuroSciVoc labels."""
    parts = [project.title or "", project.summary or ""]
    if project.call_topic_title:
        parts.append(f"Call: {project.call_topic_title}.")
    if labels:
        parts.append("Fields: " + "; ".join(sorted(labels)) + ".")
    if not any(part.strip() for part in parts):
        parts = [project.acronym or ""]  # a bare acronym says little, but it is all there is
    # Without a title the acronym is left out: projects of the same call and fields then share one text, which is
    # embedded once (most CORDIS projects in the EU-wide extracts have no title or abstract).
    text = " ".join(part.strip() for part in parts if part and part.strip())
    lang = project.language or guess_language(text)
    return text, lang if lang in ("fi", "en") else guess_language(text)
