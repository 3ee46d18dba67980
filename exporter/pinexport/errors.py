"""One error hierarchy and the process exit codes it maps to.

Every error the library raises on purpose is a `PinexportError`; the CLI turns it into a message on stderr and
the error's `exit_code`. Messages never contain the access token or plaintext personal data.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    PARTIAL_FAILURE = 1  # the run finished, but some events were rejected (by us or by Pinterest)
    USAGE = 2  # bad command line or configuration (argparse also exits 2)
    AUTH = 3  # 401/403: the token or its permissions are wrong; the run stopped at once
    GAVE_UP = 4  # a transient error (429, 5xx, timeout, dropped connection) outlived every retry
    DATA = 5  # invalid input stopped the run (e.g. --no-skip-invalid met an invalid event)
    INTERNAL = 70  # a bug: please report it


class PinexportError(Exception):
    """Base class: an error with a message fit for the user and an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL


class ConfigError(PinexportError):
    """The command line, environment or configuration is wrong."""

    exit_code = ExitCode.USAGE


class SourceError(ConfigError):
    """The model cannot be read: missing file, table, column, or a locked database."""


class DataError(PinexportError):
    """Input data that cannot be processed under the chosen policy."""

    exit_code = ExitCode.DATA


class AuthError(PinexportError):
    """Pinterest answered 401 or 403."""

    exit_code = ExitCode.AUTH


class TransientError(PinexportError):
    """A retryable failure (429, 5xx, timeout, dropped connection) that outlived the retry budget."""

    exit_code = ExitCode.GAVE_UP


class TerminalError(PinexportError):
    """A non-retryable answer from the API for a whole request (400, 422, ...)."""

    exit_code = ExitCode.PARTIAL_FAILURE
