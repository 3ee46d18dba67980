"""`pinexport` command line: a thin layer over the library.

Each sub-command lives in `pinexport.commands.<name>` and exposes `configure(parser)` and
`run(args, console) -> ExitCode`. This module only parses, dispatches and maps errors to exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from typing import Sequence

from pinexport import __version__
from pinexport.console import Console
from pinexport.errors import ExitCode, PinexportError

# name -> (module, one-line help). Modules are imported lazily so `pinexport --help` stays fast.
COMMANDS: dict[str, tuple[str, str]] = {
    "api": ("pinexport.commands.api", "send pinterest_conversions to the Pinterest Conversions API"),
    "csv": ("pinexport.commands.csv", "write monthly offline-conversion CSV files for Ads Manager"),
    "sandbox": ("pinexport.commands.sandbox", "run a local Pinterest Conversions API sandbox server"),
    "sample-data": ("pinexport.commands.sample_data", "write generated dirty sample input tables into DuckDB"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command; only `command`'s module is imported and its options configured."""
    parser = argparse.ArgumentParser(
        prog="pinexport",
        description="Deliver the pinterest_conversions dbt model to Pinterest.",
    )
    parser.add_argument("--version", action="version", version=f"pinexport {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            module = importlib.import_module(module_name)
            module.configure(p)
            p.set_defaults(_run=module.run)
    return parser


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The first word that names a command: the one module worth importing."""
    for word in argv:
        if word in COMMANDS:
            return word
        if not word.startswith("-"):
            return None
    return None


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    console = console or Console()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_chosen_command(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or usage error (2)
        return int(exc.code or 0)
    try:
        return int(args._run(args, console))
    except PinexportError as exc:
        console.err(f"pinexport: error: {exc}")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        console.err("pinexport: interrupted")
        return 130
    except (OSError, sqlite3.Error) as exc:  # the machine, not the data: a path, a permission, a full disk
        console.err(f"pinexport: error: {_scrub(str(exc), console)}")
        return int(ExitCode.USAGE)
    except Exception as exc:  # noqa: BLE001 - a bug: one line and the documented code, never exit 1
        console.err(f"pinexport: internal error ({type(exc).__name__}): {_scrub(str(exc), console)}; "
                    "please report it")
        return int(ExitCode.INTERNAL)


def _scrub(message: str, console: Console) -> str:
    """An unexpected error's text without the access token of the environment (should it ever carry it)."""
    from pinexport.commands.api import TOKEN_ENV
    from pinexport.delivery import redact

    return redact(message, (console.environ.get(TOKEN_ENV) or "").strip())
