"""The CLI layer itself: dispatch, lazy imports, exit codes for usage errors and library errors."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from pinexport import cli
from pinexport.console import Console
from pinexport.errors import ConfigError, ExitCode


def _console() -> Console:
    return Console(stdout=io.StringIO(), stderr=io.StringIO(), environ={})


def test_top_level_help_lists_every_command_without_importing_them():
    for name in cli.COMMANDS:
        sys.modules.pop(cli.COMMANDS[name][0], None)
    parser = cli.build_parser()
    text = parser.format_help()
    for name in cli.COMMANDS:
        assert name in text
    assert not any(cli.COMMANDS[name][0] in sys.modules for name in cli.COMMANDS)


@pytest.mark.parametrize("argv", [[], ["no-such-command"], ["api", "--no-such-option"]])
def test_usage_errors_exit_2(argv):
    assert cli.main(argv, _console()) == ExitCode.USAGE


def test_chosen_command_is_the_first_word_naming_one():
    assert cli._chosen_command(["csv", "--month", "2026-10"]) == "csv"
    assert cli._chosen_command(["--version"]) is None
    assert cli._chosen_command(["nope", "api"]) is None


def test_library_errors_become_their_exit_code_and_a_message(monkeypatch):
    import pinexport.commands.sandbox as sandbox_command

    def boom(args, console):
        raise ConfigError("the thing is misconfigured")

    monkeypatch.setattr(sandbox_command, "run", boom)
    console = _console()
    assert cli.main(["sandbox"], console) == ExitCode.USAGE
    assert "pinexport: error: the thing is misconfigured" in console.stderr.getvalue()


def test_console_script_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "pinexport", "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.startswith("pinexport ")
