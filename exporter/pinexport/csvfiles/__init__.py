"""Ads Manager offline-conversion CSV files: layout (layout.py), splitting (parts.py), naming, manifest and
atomic publishing (publish.py), the month/range window (window.py), and the export that ties them (export.py)."""

from pinexport.csvfiles.export import ExportResult, export_csv
from pinexport.csvfiles.window import Window, month_window, range_window

__all__ = ["ExportResult", "Window", "export_csv", "month_window", "range_window"]
