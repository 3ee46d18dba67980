"""pinexport: deliver the `pinterest_conversions` dbt model to Pinterest (Conversions API or Ads Manager CSV)."""

__version__ = "0.1.0"
