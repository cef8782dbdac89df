"""The Import page: upload a file (with a saved mapping), see the four counts and the
quarantined rows with their reasons. Admins only; one write at a time."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse

from telekpi.errors import InputError, UsageError
from telekpi.i18n import _
from telekpi.ingest.mapping import load_mapping
from telekpi.model.tables import TABLES
from telekpi.store.warehouse import quarantine_rows
from telekpi.web.access import require_admin
from telekpi.web.http import check_csrf
from telekpi.web.pages import Page, PageDep

router = APIRouter(include_in_schema=False)


def saved_mappings(p: Page) -> list[str]:
    folder = p.workspace.file("mappings")
    return sorted(f.name for f in folder.glob("*.y*ml")) if folder.is_dir() else []


def _render(p: Page, **extra) -> HTMLResponse:
    return p.render("import.html", tables=list(TABLES), mappings=saved_mappings(p),
                    recent=p.workspace.recent_imports(), **extra)


@router.get("/import")
def import_page(p: PageDep) -> HTMLResponse:
    require_admin(p.user, _("only an admin can import files"))
    return _render(p)


@router.post("/import")
def upload(p: PageDep, table: Annotated[str, Form()], csrf: Annotated[str, Form()],
           file: Annotated[UploadFile, File()], mapping: Annotated[str, Form()] = "") -> HTMLResponse:
    require_admin(p.user, _("only an admin can import files"))
    check_csrf(p.csrf, csrf)
    if table not in TABLES:
        raise UsageError(_("no table {table}; expected one of: {tables}").format(
            table=repr(table), tables=", ".join(TABLES)))
    workspace = p.workspace.folder
    m = None
    if mapping:
        if mapping not in saved_mappings(p):
            raise UsageError(_("no saved mapping {mapping} in {folder}").format(
                mapping=repr(mapping), folder="mappings/"))   # the server's own paths are not shown
        m = load_mapping(workspace / "mappings" / mapping)
    shown = Path(file.filename or "upload").name     # the user's name for the file
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", shown)[-120:]
    dest = workspace / "uploads" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The body's size is limited before it is read (web/security.py, setting max_upload_mb).
    with open(dest, "wb") as out:
        shutil.copyfileobj(file.file, out, 1 << 20)
    ws = p.workspace
    try:
        with ws.write() as cur:
            result = ws.import_file(table, dest, mapping=m, warehouse=cur)[0]
            rejected = quarantine_rows(cur, source=str(dest.resolve()), limit=500)
    except InputError as e:
        raise as_uploaded(e, dest, shown) from None
    return _render(p, result=result, uploaded=shown, rejected=rejected)


def as_uploaded(e: InputError, stored: Path, shown: str) -> InputError:
    """``e`` about the file the user uploaded, by their name for it: never the path the server
    stored it under."""
    paths = sorted({str(stored), str(stored.resolve())}, key=len, reverse=True)
    if e.file in paths:
        e.file = shown
    for path in paths:
        e.message = e.message.replace(path, shown)
    return e
