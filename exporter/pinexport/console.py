"""I/O injected into commands, so tests run them in-process and capture everything."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Mapping, TextIO


@dataclass
class Console:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    @property
    def interactive(self) -> bool:
        """True when stderr is a terminal (progress bar) rather than a log file (plain lines)."""
        isatty = getattr(self.stderr, "isatty", None)
        return bool(isatty and isatty())

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def err(self, text: str = "") -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()
