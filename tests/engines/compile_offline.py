"""`dbt compile` for a warehouse this machine cannot reach: the adapter is real, the connection is not.

Run with the Python of the adapters venv (.venv-adapters, see scripts/test.sh), as a subprocess of
test_adapters_compile.py:

    python compile_offline.py TARGET PROJECT_DIR PROFILES_DIR TARGET_PATH VARS_JSON

dbt parses the project and renders every model with the adapter's own macros, type names and quoting. The one
thing that needs the warehouse is introspection: stg_pinterest__customers asks `adapter.get_columns_in_relation`
which optional input columns exist. That single method is replaced by one that answers with the input contract's
columns (a relation of unknown name gets an error, so a new introspection call cannot pass unnoticed). With
`--no-populate-cache` and no other introspection, the adapter never opens a connection; if it tried, the dummy
host would make the compile fail.
"""

from __future__ import annotations

import importlib
import sys

INPUT_COLUMNS = {
    "customer_360": [
        "amperity_id", "customer_id", "email", "phone", "given_name", "surname", "gender", "birthdate", "city",
        "state", "postal", "country", "opt_out", "limited_data_processing", "maid",
    ],
    "unified_transactions": [
        "amperity_id", "order_id", "order_datetime", "order_revenue", "order_quantity", "currency",
    ],
    "unified_itemized_transactions": [
        "order_id", "product_id", "item_name", "item_category", "item_brand", "item_price", "item_quantity",
        "item_revenue", "is_return", "is_cancellation",
    ],
}
ADAPTER_MODULES = {
    "snowflake": "dbt.adapters.snowflake",
    "bigquery": "dbt.adapters.bigquery",
    "databricks": "dbt.adapters.databricks",
    "redshift": "dbt.adapters.redshift",
    "trino": "dbt.adapters.trino",
    "spark": "dbt.adapters.spark",
    "postgres": "dbt.adapters.postgres",
    "sqlserver": "dbt.adapters.sqlserver",
}


def patch_introspection(adapter_type: str) -> None:
    adapter_class = importlib.import_module(ADAPTER_MODULES[adapter_type]).Plugin.adapter

    def get_columns_in_relation(self, relation):
        name = (relation.identifier or "").lower()
        if name not in INPUT_COLUMNS:
            raise RuntimeError(f"compile_offline: unexpected introspection of {relation}")
        return [self.Column(column, "string") for column in INPUT_COLUMNS[name]]

    adapter_class.get_columns_in_relation = get_columns_in_relation


def main(target: str, adapter_type: str, project_dir: str, profiles_dir: str, target_path: str, vars_json: str) -> int:
    from dbt.cli.main import dbtRunner

    patch_introspection(adapter_type)
    result = dbtRunner().invoke([
        "compile",
        "--project-dir", project_dir,
        "--profiles-dir", profiles_dir,
        "--target", target,
        "--target-path", target_path,
        "--log-path", f"{target_path}/logs",
        "--vars", vars_json,
        "--no-populate-cache",
        "--no-partial-parse",
    ])
    if result.exception is not None:
        print(f"compile_offline: {type(result.exception).__name__}: {result.exception}", file=sys.stderr)
    return 0 if result.success else 1


if __name__ == "__main__":
    target, adapter_type, project_dir, profiles_dir, target_path, vars_json = sys.argv[1:7]
    sys.exit(main(target, adapter_type, project_dir, profiles_dir, target_path, vars_json))
