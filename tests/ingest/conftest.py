import pytest

from telekpi.settings import load_settings
from telekpi.store.warehouse import Warehouse


@pytest.fixture
def ws(tmp_path):
    """An empty workspace in Ho Chi Minh time."""
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    return tmp_path


@pytest.fixture
def db(ws):
    return ws / "telekpi.duckdb"


@pytest.fixture
def settings(ws):
    return load_settings(ws)


@pytest.fixture
def rows_of(db):
    """All rows of a table, sorted, as tuples; reads through a fresh connection."""

    def _rows(table: str, columns: str = "*"):
        with Warehouse(db) as wh:
            return sorted(wh.con.execute(f'SELECT {columns} FROM "{table}"').fetchall(), key=repr)

    return _rows
