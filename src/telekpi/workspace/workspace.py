"""``Workspace``: opened once from the warehouse's path, it holds the settings, the metric
catalog, the warehouse and the engine, and does what the front ends ask of them — query,
explain, import with rollup upkeep, refresh rollups, alerts — so that none of them opens
those parts by hand or writes SQL (in the spirit of datasette's ``Datasette``)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telekpi.catalog.loader import Catalog, load_catalog
from telekpi.days import day_bounds
from telekpi.engine.request import Request, Result
from telekpi.settings import Settings, load_settings

if TYPE_CHECKING:
    from telekpi.alerts.evaluate import Alert
    from telekpi.alerts.rules import Rules
    from telekpi.engine.engine import Engine
    from telekpi.engine.operations import OperationsLists
    from telekpi.engine.rollups.upkeep import RollupUpkeep
    from telekpi.ingest.follow import Follower
    from telekpi.ingest.mapping import Mapping
    from telekpi.ingest.pipeline import FileResult
    from telekpi.ingest.recordings import RecordingCounts
    from telekpi.qa.csat import CsatModel
    from telekpi.qa.forms import Form
    from telekpi.qa.review import Marks
    from telekpi.qa.run import RunSummary
    from telekpi.store.warehouse import Warehouse
    from telekpi.transcripts.load import Summary as TranscriptSummary


class Workspace:
    """A workspace folder: ``telekpi.duckdb``, ``telekpi.toml``, ``metrics/``, ``alerts.yaml``,
    ``scorecards/``, ``mappings/``. Open it with the warehouse's path.

    ``read_only``: for commands that only read; the warehouse must exist. The warehouse is
    opened when first needed, so a command that only plans (``kpi --explain`` over Spark, or
    ``metrics``) never touches it."""

    def __init__(self, db: str | Path, *, read_only: bool = False, memory_limit: str | None = None):
        self.db = Path(db)
        self.folder = self.db.resolve().parent
        self.read_only = read_only
        self.memory_limit = memory_limit
        self._warehouse: Warehouse | None = None
        self._upkeep: RollupUpkeep | None = None

    @classmethod
    def open(cls, db: str | Path, *, read_only: bool = True, memory_limit: str | None = None) -> Workspace:
        return cls(db, read_only=read_only, memory_limit=memory_limit)

    # -- parts ------------------------------------------------------------------------------
    @cached_property
    def settings(self) -> Settings:
        """``telekpi.toml`` (read when first needed, then kept)."""
        return load_settings(self.folder)

    @cached_property
    def catalog(self) -> Catalog:
        """The built-in metrics and the workspace's own ``metrics/``."""
        return load_catalog(self.folder)

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            # DuckDB is imported by the commands that read data, not by `telekpi metrics`.
            from telekpi.store.warehouse import Warehouse

            self._warehouse = Warehouse(self.db, read_only=self.read_only, memory_limit=self.memory_limit)
        return self._warehouse

    def file(self, name: str) -> Path:
        """A file or folder of the workspace (``alerts.yaml``, ``scorecards``, …)."""
        return self.folder / name

    def engine(self, *, use_rollups: bool = True, warehouse: Warehouse | None = None, **options: Any) -> Engine:
        """The engine over the warehouse (or over ``warehouse``, a cursor of it)."""
        from telekpi.engine.engine import Engine

        return Engine(warehouse or self.warehouse, self.settings, self.catalog, use_rollups=use_rollups,
                      **options)

    def lake_engine(self, lake: str | None, engine: str = "duckdb", **backend_options: Any) -> Engine:
        """An engine over a Parquet lake on DuckDB, Spark or ClickHouse, with the settings and
        metrics the lake was written with (else this workspace's)."""
        from telekpi.engine.engine import Engine

        return Engine.over_lake(lake, engine, self.folder, **backend_options)

    def planner_only(self, dialect: str, lake: str | None = None) -> Engine:
        """An engine that plans and explains in ``dialect`` without any data, with the lake's
        settings and metrics when ``lake`` is a local lake, else this workspace's."""
        from telekpi.engine.engine import Engine
        from telekpi.store.lake import lake_workspace

        folder = lake_workspace(lake) if lake else None
        return Engine.unconnected(dialect, folder if folder is not None and folder.is_dir() else self.folder)

    def operations(self, warehouse: Warehouse | None = None) -> OperationsLists:
        """The operations lists (lost calls not won back, overdue callbacks: docs/operations.md)."""
        from telekpi.engine.operations import OperationsLists

        return OperationsLists(self.engine(warehouse=warehouse))

    # -- asking -------------------------------------------------------------------------------
    def query(self, req: Request) -> Result:
        return self.engine().query(req)

    def explain(self, req: Request, dialect: str | None = None) -> str:
        return self.engine().explain(req, dialect)

    # -- writing ------------------------------------------------------------------------------
    @property
    def upkeep(self) -> RollupUpkeep:
        """Logs each write for the daily rollups, in the write's transaction."""
        if self._upkeep is None:
            from telekpi.engine.rollups.upkeep import RollupUpkeep

            self._upkeep = RollupUpkeep(self.catalog, self.settings)
        return self._upkeep

    def import_file(self, table: str, path: Path, *, fmt: str | None = None, mapping: Mapping | None = None,
                    encoding: str | None = None, progress: Any = None,
                    warehouse: Warehouse | None = None) -> list[FileResult]:
        """Import one file (a log that feeds several tables fills all of them, ``table``
        first), logging the writes for the rollups; ``refresh_rollups`` folds them in."""
        from telekpi.ingest.pipeline import import_path

        return import_path(warehouse or self.warehouse, table, path, self.settings, fmt=fmt,
                           mapping=mapping, encoding=encoding, progress=progress, observer=self.upkeep)

    def import_rows(self, table: str, rows: list[dict], *, label: str,
                    warehouse: Warehouse | None = None) -> FileResult:
        """Import rows posted as JSON objects (the API), under ``label``."""
        from telekpi.ingest.json_rows import JsonRowsSource
        from telekpi.ingest.pipeline import import_source

        return import_source(warehouse or self.warehouse, table, JsonRowsSource(rows, label), self.settings,
                             label=label, fmt="json", observer=self.upkeep)

    def import_recordings(self, paths: list[Path], *, pattern=None, agent_channel: str | None = None,
                          progress=None, warehouse: Warehouse | None = None, log: bool = True) -> RecordingCounts:
        """Link audio files to calls and analyse their speech (docs/call-analysis.md); ``log``:
        record the run in ``imports`` (not for the demo's own recordings)."""
        from telekpi.ingest.recordings import import_recordings, options

        opts = options(self.settings, agent_channel=agent_channel, pattern=pattern)
        return import_recordings(warehouse or self.warehouse, paths, opts, progress=progress, log=log)

    def reanalyse_recordings(self, *, agent_channel: str | None = None, progress=None,
                             warehouse: Warehouse | None = None) -> RecordingCounts:
        """Analyse again the recordings whose file or analysis settings changed."""
        from telekpi.ingest.recordings import options, reanalyse

        return reanalyse(warehouse or self.warehouse, options(self.settings, agent_channel=agent_channel),
                         progress=progress)

    def follower(self, table: str, path: Path, *, fmt: str | None = None,
                 mapping: Mapping | None = None, writer: Any = None) -> Follower:
        """A follower of a live log (``ingest.follow``): ``writer`` gives the warehouse to write
        to as a context manager (default: this workspace's)."""
        from contextlib import nullcontext

        from telekpi.ingest.follow import Follower

        return Follower(path, table, self.settings, writer or (lambda: nullcontext(self.warehouse)),
                        fmt=fmt, mapping=mapping, observer=self.upkeep)

    def catch_up(self, warehouse: Warehouse | None = None) -> list[dict]:
        """Fold the writes logged since the last fold into the daily rollups."""
        return self.upkeep.catch_up((warehouse or self.warehouse).con)

    def refresh_rollups(self, *, force: bool = False, warehouse: Warehouse | None = None) -> list[dict]:
        """Fold the logged writes in and rebuild every rollup that is stale (all with ``force``)."""
        from telekpi.engine.rollups import refresh

        return refresh((warehouse or self.warehouse).con, self.catalog, self.settings, force=force)

    def rollup_status(self) -> list[dict]:
        from telekpi.engine.rollups import status

        return status(self.warehouse.con, self.catalog, self.settings)

    def quarantine(self, *, source: str | None = None, table: str | None = None,
                   limit: int | None = 100) -> list[dict]:
        from telekpi.store.warehouse import quarantine_rows

        return quarantine_rows(self.warehouse, source=source, table=table, limit=limit)

    def quarantine_count(self, *, source: str | None = None, table: str | None = None) -> int:
        from telekpi.store.warehouse import quarantine_count

        return quarantine_count(self.warehouse, source=source, table=table)

    def recent_imports(self, limit: int = 20) -> list[dict]:
        from telekpi.store.warehouse import recent_imports

        return recent_imports(self.warehouse, limit)

    def export_lake(self, out: Path, *, row_group_size: int = 1_000_000) -> dict[str, int]:
        """Write the warehouse as a Parquet lake partitioned by table and month, with its daily
        rollups; rows written per table."""
        from telekpi.engine.rollups import write_lake
        from telekpi.store.lake import export_lake

        return export_lake(self.warehouse, out, self.settings, row_group_size=row_group_size,
                           rollups=lambda con, folder: write_lake(con, folder, self.catalog, self.settings))

    # -- alerts -----------------------------------------------------------------------------
    def alert_rules(self, path: Path | None = None) -> Rules:
        """``path``, else the workspace's ``alerts.yaml``, else the built-in rules."""
        from telekpi.alerts.rules import load_rules

        own = self.file("alerts.yaml")
        return load_rules(path or (own if own.exists() else None), self.catalog)

    def evaluate_alerts(self, rules: Rules, now: datetime | None = None,
                        engine: Engine | None = None) -> list[Alert]:
        """What fires now (in workspace time) under ``rules``."""
        from telekpi.alerts.evaluate import evaluate

        return evaluate(engine or self.engine(), rules, now or datetime.now(self.settings.tz))

    # -- demo --------------------------------------------------------------------------------
    def generate_demo(self, *, seed: int, size: str) -> dict[str, int]:
        """Fill the warehouse with a seeded demo centre and build its rollups; rows per table."""
        from telekpi.demo.generate import generate
        from telekpi.ingest.recordings import options
        from telekpi.qa.demo_audio import FOLDER
        from telekpi.qa.demo_words import add_to_demo

        counts = generate(self.warehouse.con, seed=seed, size=size, timezone=self.settings.timezone)
        # transcripts, QA and sentiment for a share of calls; recordings of a few where espeak-ng is
        audio = self.file(FOLDER)
        for old in audio.glob("*.wav"):   # an earlier demo's: its calls are not this demo's
            old.unlink()
        counts |= add_to_demo(self.warehouse, seed, audio_dir=audio, channel_for=options(self.settings).channel_for)
        if audio.is_dir():
            counts["recordings"] = self.import_recordings([audio], log=False).linked
        self.refresh_rollups()
        self.warehouse.checkpoint()
        return counts

    # -- call analysis from words (docs/call-analysis.md) -------------------------------------
    def import_transcripts(self, paths: list[Path], *, agent: str | None = None, pattern: str | None = None,
                           fmt: str | None = None) -> TranscriptSummary:
        """Transcript files into ``transcripts``; the agent's speaker is ``agent`` or the
        setting ``transcript_agent``."""
        from telekpi.transcripts.load import import_transcripts

        return import_transcripts(self.warehouse, paths, agent=agent or self.settings.transcript_agent,
                                  pattern=pattern, fmt=fmt)

    def transcribe(self, files: list[Path], *, engine: str = "pocketsphinx", model_dir: Path | None = None,
                   language: str | None = None, agent_channel: str | None = None, pattern: str | None = None,
                   force: bool = False) -> list[dict]:
        """Speech-to-text of audio files into ``transcripts`` (the call id from the file name, as
        for recordings), the speech found by the workspace's ``vad``; a file transcribed before
        with the same engine is skipped. An imported recording keeps the agent channel it was
        imported with; files given here take ``agent_channel``, else their recording source's
        (``[recording_sources.NAME]``), else the setting ``recording_agent_channel``."""
        from telekpi.ingest.recordings import options
        from telekpi.transcripts.transcribe import transcribe_files

        return transcribe_files(self.warehouse, files, engine=engine, model_dir=model_dir, language=language,
                                agent_channel=agent_channel or self.settings.recording_agent_channel,
                                pattern=pattern, force=force, vad=self.settings.vad,
                                channel_for=options(self.settings, agent_channel=agent_channel).channel_for)

    def qa_form(self, path: Path) -> Form:
        from telekpi.qa.forms import load_form

        return load_form(path)

    def run_qa(self, form: Form, *, since: date | None = None, until: date | None = None,
               force: bool = False) -> RunSummary:
        """Score the transcribed calls of the local days ``since``…``until`` (inclusive) on ``form``."""
        from telekpi.qa.run import run_form

        start, end = day_bounds(since, until, self.settings.tz)
        return run_form(self.warehouse, form, since=start, until=end, force=force)

    def learn_csat(self) -> CsatModel:
        from telekpi.qa.csat import learn

        return learn(self.warehouse)

    # -- people in the loop of QA (docs/call-analysis.md, "Reviewing calls") ------------------
    def qa_forms(self) -> dict[str, Form]:
        """The QA forms by id: the workspace's ``qa-forms/`` and the shipped examples (the
        workspace's own first); a form that does not load is left out (``telekpi qa`` says why)."""
        from importlib import resources

        from telekpi.errors import ConfigError
        from telekpi.qa.forms import load_form

        found: dict[str, Form] = {}
        own = sorted(self.file("qa-forms").glob("*.yaml")) if self.file("qa-forms").is_dir() else []
        with resources.as_file(resources.files("telekpi.qa").joinpath("examples")) as shipped:
            for path in [*own, *sorted(shipped.glob("*.yaml"))]:
                try:
                    form = load_form(path)
                except ConfigError:
                    continue
                found.setdefault(form.id, form)
        return found

    def qa_form_by_id(self, form_id: str) -> Form:
        from telekpi.errors import NotFoundError
        from telekpi.i18n import _

        form = self.qa_forms().get(form_id)
        if form is None:
            raise NotFoundError(_("QA form {form} is not in the workspace's qa-forms folder: put its YAML file "
                                  "there to review its calls").format(form=form_id))
        return form

    def save_review(self, call_id: str, form_id: str, reviewer: str, items: Marks,
                    comment: str | None, *, warehouse: Warehouse | None = None):
        """A reviewer's review of a call on a form (``qa/review.py``); the first review of a
        call becomes its QA result."""
        from telekpi.qa.review import save
        from telekpi.store.transcript_store import now

        return save(warehouse or self.warehouse, self.qa_form_by_id(form_id), call_id, reviewer, items,
                    comment, now())

    def respond_review(self, call_id: str, form_id: str, agent_id: str, response: str, comment: str | None,
                       *, warehouse: Warehouse | None = None) -> None:
        """The agent's answer to the review of their call: acknowledged or disputed."""
        from telekpi.qa.review import respond
        from telekpi.store.transcript_store import now

        respond(warehouse or self.warehouse, call_id, form_id, agent_id, response, comment, now())

    def mark_calibration(self, call_id: str, form_id: str, user: str, on: bool = True, *,
                         warehouse: Warehouse | None = None) -> None:
        """Put a call up for calibration (several reviewers score it), or take it down."""
        from telekpi.store.review_store import mark_calibration
        from telekpi.store.transcript_store import now

        mark_calibration(warehouse or self.warehouse, call_id, form_id, user, now(), on)

    def call_words(self, call_id: str) -> dict:
        """A call's transcript, QA results and sentiment."""
        from telekpi.store.transcript_store import call_words

        return call_words(self.warehouse, call_id)

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
