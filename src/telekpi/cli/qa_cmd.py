"""`telekpi qa FORM.yaml`, `telekpi csat-model`, `telekpi transcribe` and the transcripts'
side of `telekpi import`: call analysis from words (docs/call-analysis.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from telekpi.cli.output import print_json
from telekpi.cli.query_cmds import Fmt, FmtOpt, date_option
from telekpi.cli.root import app, open_workspace
from telekpi.errors import InputError
from telekpi.i18n import N_, _, translate

STATUS = {"inserted": N_("new"), "updated": N_("replaced"), "unchanged": N_("unchanged")}


def import_transcripts(ctx: typer.Context, files: list[Path], *, fmt: str | None, pattern: str | None,
                       agent: str | None) -> None:
    """Every file: imported, updated, unchanged or quarantined with its reason; exit 1 when a
    file was quarantined."""
    with open_workspace(ctx, read_only=False) as ws:
        summary = ws.import_transcripts(files, agent=agent, pattern=pattern, fmt=fmt)
    for o in summary.outcomes:
        if o.status == "quarantined":
            typer.echo(f"{o.path}: " + _("quarantined: {reason}").format(reason=o.reason))
        else:
            typer.echo(f"{o.path} → {o.call_id} ({o.format}): " + _("{n} utterances, {status}").format(
                n=o.utterances, status=translate(STATUS[o.status])))
    counts = {s: summary.count(s) for s in ("inserted", "updated", "unchanged", "quarantined")}
    typer.echo(_("{files} files: {inserted} new, {updated} replaced, {unchanged} unchanged, {quarantined} "
                 "quarantined").format(files=len(summary.outcomes), **counts))
    if summary.unknown_calls:
        typer.echo("telekpi: " + _("{n} transcript(s) for calls not in the warehouse (yet): {ids}; QA scores "
                                   "them once their calls are imported").format(
            n=len(summary.unknown_calls), ids=", ".join(summary.unknown_calls[:10])
            + (" …" if len(summary.unknown_calls) > 10 else "")), err=True)
    if not summary.outcomes:
        raise InputError(_("no transcript files found (.json, .vtt, .srt) in {paths}").format(
            paths=", ".join(str(f) for f in files)))
    if counts["quarantined"]:
        raise typer.Exit(1)


@app.command("qa")
def qa_cmd(
    ctx: typer.Context,
    form: Path = typer.Argument(..., help="QA form (YAML): sections of weighted phrase, forbidden, speech "
                                "and human items (docs/call-analysis.md)."),
    since: str = typer.Option(None, "--since", help="First day of calls, inclusive (YYYY-MM-DD, "
                              "workspace timezone)."),
    until: str = typer.Option(None, "--until", help="Last day of calls, inclusive (YYYY-MM-DD)."),
    force: bool = typer.Option(False, "--force", help="Score every call again, changed or not."),
    fmt: Fmt = FmtOpt,
) -> None:
    """Score the transcribed calls on a QA form and compute the customer's sentiment; a call is
    scored again only when its transcript or the form changed."""
    start, end = date_option(since, "--since"), date_option(until, "--until")
    with open_workspace(ctx, read_only=False) as ws:
        f = ws.qa_form(form)
        s = ws.run_qa(f, since=start, until=end, force=force)
    if fmt == Fmt.json:
        print_json({"form": f.id, **s.__dict__})
        return
    typer.echo(_("{form}: {calls} transcribed calls; {scored} scored now ({passed} passed, {failed} auto-failed, "
                 "{none} with nothing to score), {unchanged} unchanged; sentiment of {sentiment}").format(
        form=f.name, calls=f"{s.calls:,}", scored=f"{s.scored:,}", passed=f"{s.passed:,}",
        failed=f"{s.auto_failed:,}", none=f"{s.no_score:,}", unchanged=f"{s.unchanged:,}",
        sentiment=f"{s.sentiment:,}"))
    if not s.speech and any(i.kind == "speech" for i in f.items):
        typer.echo("telekpi: " + _("speech items not scored: no speech analytics in this warehouse (run "
                                   "`telekpi import recordings` first)"), err=True)


@app.command("csat-model")
def csat_model_cmd(ctx: typer.Context, fmt: Fmt = FmtOpt) -> None:
    """Learn the predicted CSAT from this centre's surveyed and analysed calls, show its
    accuracy on held-out calls and write it to every analysed call."""
    with open_workspace(ctx, read_only=False) as ws:
        m = ws.learn_csat()
    if fmt == Fmt.json:
        print_json(m.__dict__)
        return
    typer.echo(_("predicted CSAT learned from {n} surveyed calls ({train} to learn, {test} held out): accuracy "
                 "{accuracy:.0%} on the held-out calls, against {baseline:.0%} for always guessing the more "
                 "common answer; written to {calls} calls").format(
        n=m.surveyed, train=m.trained_on, test=m.tested_on, accuracy=m.accuracy, baseline=m.baseline,
        calls=m.predicted))


@app.command("transcribe")
def transcribe_cmd(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(None, help="Audio files or folders (WAV, MP3, OGG, GSM, FLAC, …) "
                                       "[default: the recordings imported]."),
    engine: str = typer.Option("pocketsphinx", "--engine", help="pocketsphinx (English, its model ships with "
                               "it) or whisper (faster-whisper, with --model-dir)."),
    model_dir: Path = typer.Option(None, "--model-dir", help="A faster-whisper model folder you downloaded "
                                   "(telekpi never downloads one)."),
    language: str = typer.Option(None, "--language", help="With whisper: the language spoken (vi, th, zh, en) "
                                 "[default: detected]."),
    agent_channel: str = typer.Option(None, "--agent-channel", help="Stereo files given here: the agent's "
                                      "channel, left or right [default: the setting recording_agent_channel; "
                                      "an imported recording keeps its own]."),
    pattern: str = typer.Option(None, "--pattern", help="A regular expression with a named group call_id, "
                                "searched in each file name [default: an Asterisk uniqueid, a UUID, else the "
                                "name up to its first dot]."),
    force: bool = typer.Option(False, "--force", help="Transcribe again what was transcribed before."),
) -> None:
    """Speech-to-text on this machine, only where a voice-activity detector hears speech; the
    words go to the transcripts QA scores."""
    with open_workspace(ctx, read_only=False) as ws:
        done = ws.transcribe(files or [], engine=engine, model_dir=model_dir, language=language,
                             agent_channel=agent_channel, pattern=pattern, force=force)
    for d in done:
        if d["status"] == "failed":
            typer.echo(f"{d['path']}: " + _("not transcribed: {reason}").format(reason=d["reason"]))
        elif d["status"] == "unchanged":
            typer.echo(f"{d['path']} → {d['call_id']}: " + _("transcribed before (--force does it again)"))
        else:
            typer.echo(f"{d['path']} → {d['call_id']}: " + _("{n} utterances").format(n=d["utterances"]))
    if any(d["status"] == "failed" for d in done):
        raise typer.Exit(1)
