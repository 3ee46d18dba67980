"""Suite-wide settings.

In CI (`CI=true`) hypothesis runs derandomized: the same examples every run, so a red CI always means a change in
the code, never the luck of the draw. Locally it explores new examples each run, which is how rare disagreements
are found; a failure prints the seed to reproduce it.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() in {"1", "true", "yes"} else "dev")
