"""Write a report by file type, atomically: a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from telekpi.errors import UsageError
from telekpi.i18n import _
from telekpi.reports.model import Report

TYPES = (".html", ".xlsx", ".pdf", ".json")


def writer(path: Path):
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        from telekpi.reports.html import write_html
        return write_html
    if suffix == ".xlsx":
        from telekpi.reports.xlsx import write_xlsx
        return write_xlsx
    if suffix == ".pdf":
        from telekpi.reports.pdf import write_pdf
        return write_pdf
    if suffix == ".json":
        from telekpi.reports.data import write_json
        return write_json
    raise UsageError(_("cannot write a report as {name}; the file name must end in {types}").format(
        name=repr(path.name), types=", ".join(TYPES)))


def write_report(report: Report, path: Path) -> Path:
    write = writer(path)
    path = path.resolve()
    if not path.parent.is_dir():
        raise UsageError(_("cannot write {file}: folder {folder} does not exist").format(
            file=path, folder=path.parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(report, Path(tmp))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
