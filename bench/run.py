"""The one benchmark entry point: `python bench/run.py {dbt,api,csv,source,all} [options]`.

Each benchmark lives in its own module here (bench_<name>.py) exposing `add_arguments(parser)` and
`run(args) -> dict`; this script runs them and prints the figures as JSON lines (also appended to
bench/results.ndjson) so they can be copied into the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["dbt", "api", "csv", "source"]


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(HERE))
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True)
    modules = {}
    for name in BENCHMARKS:
        module = importlib.import_module(f"bench_{name}")
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0]))
    sub.add_parser("all", help="every benchmark with its defaults")
    args = parser.parse_args(argv)
    names = BENCHMARKS if args.name == "all" else [args.name]
    for name in names:
        bench_args = args if args.name != "all" else _defaults(modules[name])
        result = modules[name].run(bench_args)
        record = {
            "benchmark": name,
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()} {_cores()} cores",
            **result,
        }
        line = json.dumps(record, sort_keys=True)
        print(line)
        with open(HERE / "results.ndjson", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    return 0


def _defaults(module) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    module.add_arguments(p)
    return p.parse_args([])


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
