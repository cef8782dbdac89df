"""Fixtures every test folder uses: the CLI through its real entry point."""

import json

import pytest

from telekpi.cli.app import main


@pytest.fixture
def run(capsys):
    """Run the CLI through its real entry point; return (exit code, stdout, stderr)."""

    def _run(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


@pytest.fixture
def run_json(run):
    def _run(*args):
        code, out, err = run(*args, "--format", "json")
        assert code == 0, err
        return json.loads(out)

    return _run
