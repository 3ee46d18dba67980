"""Create Spark tables from Parquet files (run as a subprocess by engine_harness.load_spark).

The session is configured from the same environment variables as profiles.example.yml's `spark` target
(warehouse dir, Derby metastore, UTC session time zone), so the tables are visible to the later `dbt build`.
Argument: JSON {"schema": "raw", "tables": {"name": "/path/file.parquet", ...}}. Prints JSON row counts.
"""

from __future__ import annotations

import json
import os
import sys

from pyspark.sql import SparkSession


def session() -> SparkSession:
    metastore = os.environ["PINTEREST_SPARK_METASTORE"]
    return (
        SparkSession.builder.master("local[2]")
        .appName("pinterest-conversions-load")
        .enableHiveSupport()
        .config("spark.sql.warehouse.dir", os.environ["PINTEREST_SPARK_WAREHOUSE"])
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={metastore};create=true")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={metastore}-derby")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


def main(spec: dict) -> dict[str, int]:
    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    schema = spec["schema"]
    spark.sql(f"create schema if not exists {schema}")
    counts = {}
    for table, path in spec["tables"].items():
        spark.sql(f"drop table if exists {schema}.{table}")
        spark.sql(f"create table {schema}.{table} using parquet as select * from parquet.`{path}`")
        counts[table] = spark.table(f"{schema}.{table}").count()
    spark.stop()
    return counts


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
