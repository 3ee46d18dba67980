"""File names, the manifest, and the atomic hand-over of a finished set of parts into the output directory.

Everything is written into `OUT/.pinexport-csv-tmp-<pid>/` first. Only when every part and the manifest are
complete: the label's previous manifest is removed (so the old set no longer looks complete), then its previous
parts, then the new parts are renamed in, and the manifest last. A set of parts is complete if and only if its
manifest exists; a crash at any point leaves either the old complete set, or parts without a manifest, or only
the hidden temporary directory (removed by the next run once its process is gone).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from pinexport.processes import pid_alive

PREFIX = "pinterest_offline_conversions"
TMP_PREFIX = ".pinexport-csv-tmp-"
MANIFEST_FORMAT = "pinexport-csv-manifest/1"


def part_name(label: str, index: int) -> str:
    return f"{PREFIX}_{label}_part-{index:03d}.csv"


def manifest_name(label: str) -> str:
    return f"{PREFIX}_{label}_manifest.json"


def part_pattern(label: str) -> re.Pattern[str]:
    """Exactly this label's parts (`..._2026-10_part-001.csv`), never another label's."""
    return re.compile(rf"^{re.escape(PREFIX)}_{re.escape(label)}_part-\d{{3,}}\.csv$")


def make_tmp_dir(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_tmp_dirs(out_dir)
    tmp = out_dir / f"{TMP_PREFIX}{os.getpid()}"
    if tmp.exists():  # an earlier export of this very process failed after a crash-like interruption
        shutil.rmtree(tmp)
    tmp.mkdir()
    return tmp


def remove_stale_tmp_dirs(out_dir: Path) -> list[Path]:
    """Temporary directories of exports whose process no longer runs (killed mid-way)."""
    removed = []
    for path in out_dir.glob(f"{TMP_PREFIX}*"):
        pid_text = path.name[len(TMP_PREFIX):]
        if path.is_dir() and pid_text.isdigit() and int(pid_text) != os.getpid() and not pid_alive(int(pid_text)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def write_manifest(tmp: Path, label: str, manifest: dict) -> Path:
    path = tmp / manifest_name(label)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2, sort_keys=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, path)
    return path


def publish(tmp: Path, out_dir: Path, label: str, part_names: list[str]) -> Path:
    """Replace the label's files in `out_dir` by the ones in `tmp` (see the module docstring for the order)."""
    manifest = manifest_name(label)
    old_manifest = out_dir / manifest
    if old_manifest.exists():
        old_manifest.unlink()
    pattern = part_pattern(label)
    for old in out_dir.iterdir():
        if pattern.match(old.name) and old.name not in part_names:
            old.unlink()
    for name in part_names:
        os.replace(tmp / name, out_dir / name)
    _fsync_dir(out_dir)
    os.replace(tmp / manifest, old_manifest)
    _fsync_dir(out_dir)
    shutil.rmtree(tmp, ignore_errors=True)
    return old_manifest


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

