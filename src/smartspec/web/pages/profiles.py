"""A project's page (its labels with the classifier's evidence, participants, funding, source record) and an
organisation's profile (names, projects, partners, funding by year and area)."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from smartspec.classify import Explanation, ModelMissingError
from smartspec.web.deps import observatory, render

router = APIRouter()
# The classifier's Voikko normaliser shares one handle per observatory and libvoikko handles are not thread-safe;
# pages are served from a thread pool, so explanations are made one at a time (each takes well under a second).
_EXPLAIN = threading.Lock()


@router.get("/projects/{project_id}", response_class=HTMLResponse, include_in_schema=False)
def project(request: Request, project_id: int) -> HTMLResponse:
    obs = observatory(request)
    detail = obs.project(project_id)
    explanation: Explanation | None = None
    missing: str | None = None
    try:
        with _EXPLAIN:
            explanation = obs.explain(project_id)
    except ModelMissingError as exc:  # no stored classifier: the labels without evidence, and why
        missing = exc.summary
    areas = {a.area: a for a in explanation.areas} if explanation else {}
    topics = {t.topic: t for t in explanation.topics} if explanation else {}
    return render(request, "project.html", project=detail, explanation=explanation, missing=missing,
                  evidence=areas, topic_evidence=topics)  # fmt: skip


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse, include_in_schema=False)
def organisation(request: Request, organisation_id: int) -> HTMLResponse:
    profile = observatory(request).organisation(organisation_id)
    return render(request, "organisation.html", org=profile)
