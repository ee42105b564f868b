"""Editing in the browser: the registers (list, add, edit, delete with a confirmation), the classification review
(accept, reject, add a label; retrain) and file imports by upload. Every form is plain HTML with the CSRF field;
the facade checks each write against the policy for the record's region and audits it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from smartspec.accounts import Action
from smartspec.errors import InputError
from smartspec.indicators.registers import REGISTERS, cell, get_register
from smartspec.web.deps import observatory, render

router = APIRouter(include_in_schema=False)
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


async def _values(request: Request, kind: str) -> dict[str, str]:
    form = await request.form()
    return {column: str(form.get(column) or "") for column in get_register(kind).columns}


def _list_page(request: Request, kind: str, status_code: int = 200, *, typed: dict[str, str] | None = None,
               problems: list[str] | None = None, message: str | None = None,
               import_problems: list[str] | None = None, imported: str | None = None) -> HTMLResponse:  # fmt: skip
    obs = observatory(request)
    listed = obs.registers(kind)
    editable = {e.id for e in listed.entries if obs.allowed(Action.EDIT_REGISTER, kind, e.values.get("region"))}
    return render(request, "registers.html", status_code=status_code, kind=kind, kinds=list(REGISTERS),
                  listed=listed, cell=cell, editable=editable, typed=typed or {}, problems=problems or [],
                  message=message, import_problems=import_problems or [], imported=imported)  # fmt: skip


def _too_large(request: Request, file: UploadFile) -> str | None:
    """Why an upload is refused for its size (the gate refuses a request whose declared length is over the limit;
    this catches a body that did not declare it)."""
    limit_mb = observatory(request).settings.max_upload_mb
    if file.size is not None and file.size > limit_mb * 1024 * 1024:
        return f"the file is larger than {limit_mb} MB / tiedosto on liian suuri"
    return None


def _save_upload(file: UploadFile, folder: str) -> Path:
    """The upload written to ``folder``; only its extension is kept (the readers choose by it): the name a browser
    sends is not trusted as a path."""
    suffix = "".join(c for c in Path(file.filename or "upload").suffix.lower() if c.isalnum() or c == ".")[:8]
    path = Path(folder) / f"upload{suffix}"
    with path.open("wb") as handle:
        while chunk := file.file.read(1024 * 1024):
            handle.write(chunk)
    return path


def _problems(exc: InputError) -> list[str]:
    return [exc.summary, *map(str, exc.problems)] + ([f"fix: {exc.hint}"] if exc.hint else [])


@router.get("/registers/{kind}", response_class=HTMLResponse)
def registers(request: Request, kind: str, saved: str | None = None, imported: str | None = None) -> HTMLResponse:
    get_register(kind)
    return _list_page(request, kind, message=saved, imported=imported)


@router.post("/registers/{kind}", response_model=None)
async def add(request: Request, kind: str) -> HTMLResponse | RedirectResponse:
    values = await _values(request, kind)
    try:
        saved = observatory(request).register_add(kind, values)
    except InputError as exc:
        return _list_page(request, kind, 400, typed=values, problems=[exc.summary, *map(str, exc.problems)])
    return RedirectResponse(f"/registers/{kind}?saved={saved.id}", status_code=303)


@router.post("/registers/{kind}/upload", response_model=None)
def import_upload(request: Request, kind: str, file: UploadFile = File(...)) -> HTMLResponse | RedirectResponse:
    """A register file (CSV or XLSX, the export's columns) imported in one transaction: any bad row (for an editor,
    a row of another region too) writes nothing, and every bad row is listed with its line."""
    get_register(kind)
    refused = _too_large(request, file)
    if refused:
        return _list_page(request, kind, 413, import_problems=[refused])
    name = Path(file.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="smartspec-register-") as folder:
        try:
            done = observatory(request).register_import(kind, _save_upload(file, folder), name=name)
        except InputError as exc:
            return _list_page(request, kind, 400, import_problems=_problems(exc))
    return RedirectResponse(f"/registers/{kind}?imported={done.inserted}+{done.updated}", status_code=303)


@router.get("/registers/{kind}/export.{output_format}")
def export(request: Request, kind: str, output_format: str) -> Response:
    """The register in its import format, as CSV or XLSX (formula-like cells neutralised)."""
    get_register(kind)
    if output_format not in EXPORT_TYPES:
        raise InputError(f"there is no {output_format!r} export", hint="use export.csv or export.xlsx")
    with tempfile.TemporaryDirectory(prefix="smartspec-register-") as folder:
        path = Path(folder) / f"{kind}.{output_format}"
        observatory(request).register_export(kind, path)
        content = path.read_bytes()
    return Response(
        content,
        media_type=EXPORT_TYPES[output_format],
        headers={"Content-Disposition": f'attachment; filename="smartspec-{kind}.{output_format}"'},
    )


@router.get("/registers/{kind}/{entry_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, kind: str, entry_id: int) -> HTMLResponse:
    obs = observatory(request)
    entry = obs.register_entry(kind, entry_id)
    obs.require(Action.EDIT_REGISTER, kind, entry.values.get("region"))
    typed = {column: cell(entry.values.get(column)) for column in get_register(kind).columns}
    return render(request, "register_edit.html", kind=kind, entry_id=entry_id, typed=typed, problems=[])


@router.post("/registers/{kind}/{entry_id}", response_model=None)
async def edit(request: Request, kind: str, entry_id: int) -> HTMLResponse | RedirectResponse:
    values = await _values(request, kind)
    try:
        observatory(request).register_update(kind, entry_id, values)
    except InputError as exc:
        if "there is no" in exc.summary:
            raise
        return render(request, "register_edit.html", status_code=400, kind=kind, entry_id=entry_id, typed=values,
                      problems=[exc.summary, *map(str, exc.problems)])  # fmt: skip
    return RedirectResponse(f"/registers/{kind}?saved={entry_id}", status_code=303)


@router.get("/registers/{kind}/{entry_id}/delete", response_class=HTMLResponse)
def delete_form(request: Request, kind: str, entry_id: int) -> HTMLResponse:
    obs = observatory(request)
    entry = obs.register_entry(kind, entry_id)
    obs.require(Action.EDIT_REGISTER, kind, entry.values.get("region"))
    return render(request, "register_delete.html", kind=kind, entry=entry, cell=cell)


@router.post("/registers/{kind}/{entry_id}/delete")
def delete(request: Request, kind: str, entry_id: int) -> RedirectResponse:
    observatory(request).register_delete(kind, entry_id)
    return RedirectResponse(f"/registers/{kind}", status_code=303)


# Classification review ----------------------------------------------------------------------------------------------


def _review_page(request: Request, status_code: int = 200, message: str | None = None) -> HTMLResponse:
    obs = observatory(request)
    info = obs.model().info
    return render(request, "review.html", status_code=status_code, queue=obs.review_queue(30), model=info,
                  areas=obs.strategy.area_codes(), message=message)  # fmt: skip


@router.get("/review", response_class=HTMLResponse)
def review(request: Request, done: str | None = None) -> HTMLResponse:
    return _review_page(request, message=done)


@router.post("/review/retrain", response_class=HTMLResponse)
def retrain(request: Request) -> HTMLResponse:
    result = observatory(request).train()
    return _review_page(request, message=f"{result.model.version}: {result.examples}")


@router.post("/review/{project_id}")
def decide(request: Request, project_id: int, code: str = Form(""), action: str = Form("")) -> RedirectResponse:
    decision = observatory(request).decide(project_id, code, action)
    return RedirectResponse(f"/review?done={decision.project_id}+{decision.code}+{decision.status}", status_code=303)


# Imports by upload --------------------------------------------------------------------------------------------------


@router.get("/imports/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> HTMLResponse:
    return render(request, "upload.html", sources=observatory(request).sources(), result=None, problems=[])


@router.post("/imports/upload", response_class=HTMLResponse)
def upload(request: Request, source: str = Form(""), file: UploadFile = File(...),
           skip_bad_rows: bool = Form(False)) -> HTMLResponse:  # fmt: skip
    obs = observatory(request)
    page: dict[str, Any] = {"sources": obs.sources(), "result": None, "source": source}
    refused = _too_large(request, file)
    if refused:
        return render(request, "upload.html", status_code=413, **page, problems=[refused])
    with tempfile.TemporaryDirectory(prefix="smartspec-upload-") as folder:
        path = _save_upload(file, folder)
        try:
            result = obs.import_file(source, path, skip_bad_rows=skip_bad_rows)
        except InputError as exc:
            # The upload's own name, never the server's temporary path.
            name = Path(file.filename or "upload").name
            problems = [text.replace(str(path), name) for text in [exc.summary, *map(str, exc.problems)]]
            return render(request, "upload.html", status_code=400, **page, problems=problems)
    page["result"] = result
    return render(request, "upload.html", **page, problems=[])
