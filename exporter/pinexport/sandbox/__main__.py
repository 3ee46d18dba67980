"""`python -m pinexport.sandbox [options]`: the same as `pinexport sandbox [options]`.

An entry point of its own so the sandbox can run (e.g. from `SandboxProcess`) without importing the other
commands of the `pinexport` CLI.
"""

from __future__ import annotations

import argparse
import sys

from pinexport.commands import sandbox as command
from pinexport.console import Console
from pinexport.errors import PinexportError


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    console = console or Console()
    parser = argparse.ArgumentParser(prog="python -m pinexport.sandbox")
    command.configure(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(command.run(args, console))
    except PinexportError as exc:
        console.err(f"pinexport: error: {exc}")
        return int(exc.exit_code)


if __name__ == "__main__":
    sys.exit(main())
