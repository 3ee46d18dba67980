"""The models compile for every warehouse we cannot reach from here, with each engine's own functions.

Each adapter package (dbt-snowflake, dbt-bigquery, dbt-databricks, dbt-redshift, dbt-trino, plus dbt-sqlserver as
an adapter the project does not support) is installed in its own venv, .venv/adapters (scripts/test.sh; dbt-core
pinned <1.12 by a constraints file; dbt-databricks needs another dbt-spark than the main venv's). The profiles are
the commented examples of profiles.example.yml, uncommented: the test also proves they are valid dbt profiles.
`compile_offline.py` runs `dbt compile` with the real adapter and only its column introspection answered offline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from engine_harness import engine_unavailable
from engine_harness import DBT_VARS, ROOT

ADAPTERS_PYTHON_ENV = "PINTEREST_ADAPTERS_PYTHON"
COMPILER = Path(__file__).with_name("compile_offline.py")

# target name in profiles.example.yml -> adapter type
TARGETS = {"snowflake": "snowflake", "bigquery": "bigquery", "databricks": "databricks", "redshift": "redshift",
           "trino": "trino"}

# (must appear, must not appear) in the compiled SQL of the models, per engine: SHA-256 as lowercase hex of
# UTF-8, Unix seconds, Unicode NFC, regex replace-all, and the contents list
EXPECTED_SQL = {
    "snowflake": (
        [r"sha2\(", r", 256\)", r"date_part\(epoch_second", r"regexp_replace\(", r"object_construct_keep_null\(",
         r"as timestamp_ntz\)"],
        [r"to_hex\(", r"sha256\(", r"convert_to\(", r"nfc_normalize\("],
    ),
    "bigquery": (
        [r"to_hex\(sha256\(", r"unix_seconds\(", r"normalize\((.|\n)*?, *NFC\)", r"regexp_replace\(", r"array_agg\((.|\n)*?struct\(",
         r"as numeric\(28, 6\)\)", r"\\u000a"],
        [r"sha2\(", r"convert_to\(", r"nfc_normalize\("],
    ),
    "trino": (
        [r"lower\(to_hex\(sha256\(to_utf8\(", r"to_unixtime\(", r"normalize\((.|\n)*?, *NFC\)", r"regexp_replace\(",
         r"cast\(order_datetime as timestamp\(6\)\)"],
        [r"sha2\(", r"convert_to\(", r"nfc_normalize\("],
    ),
    "databricks": (
        [r"sha2\(", r", 256\)", r"unix_seconds\(", r"regexp_replace\(", r"named_struct\(",
         r"reflect\('com\.ibm\.icu\.text\.Normalizer', 'compose'"],
        [r"to_hex\(", r"convert_to\(", r"nfc_normalize\("],
    ),
    "redshift": (
        [r"sha2\(", r", 256\)", r"datediff\(second, ", r"regexp_replace\(", r"listagg\(",
         r"json_serialize\(cast\((.|\n)*? as super\)\)",
         r"as varchar\(65535\)\)"],  # not TEXT: VARCHAR(256) on Redshift
        # leader-node-only functions fail next to table data; EXTRACT(epoch) of a TIMESTAMP is a 32-bit INTEGER
        [r"convert_to\(", r"encode\(sha256", r"nfc_normalize\(", r"\bsubstr\(", r"current_timestamp",
         r"extract\(epoch"],
    ),
}


def adapters_python() -> Path:
    configured = os.environ.get(ADAPTERS_PYTHON_ENV)
    python = Path(configured) if configured else ROOT / ".venv" / "adapters" / "bin" / "python"
    if not python.exists():
        engine_unavailable(
            f"no adapters venv at {python}: `bash scripts/test.sh` creates it (or set {ADAPTERS_PYTHON_ENV})"
        )
    return python


def example_profiles(text: str) -> str:
    """profiles.example.yml with the commented warehouse examples (between the markers) uncommented."""
    lines = text.splitlines()
    begin = next(i for i, line in enumerate(lines) if line.strip() == "# examples:begin")
    end = next(i for i, line in enumerate(lines) if line.strip() == "# examples:end")
    uncommented = [re.sub(r"^(\s*)# ?", r"\1", line) for line in lines[begin + 1:end]]
    return "\n".join(lines[:begin] + uncommented + lines[end + 1:]) + "\n"


@pytest.fixture(scope="module")
def profiles_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("adapter-profiles")
    text = example_profiles((ROOT / "profiles.example.yml").read_text())
    # BigQuery's `method: oauth` looks for Application Default Credentials before compiling; a literal token
    # (oauth-secrets) does not. Everything else is the example as a user would uncomment it.
    text = text.replace("method: oauth ", "method: oauth-secrets\n      token: offline-compile-dummy-token ", 1)
    text += (
        "    sqlserver:\n      type: sqlserver\n      driver: ODBC Driver 18 for SQL Server\n      server: 127.0.0.1\n"
        "      port: 1\n      database: analytics\n      schema: pinterest\n      user: dbt\n      password: x\n"
    )
    (directory / "profiles.yml").write_text(text)
    return directory


def compile_for(
    target: str, adapter: str, profiles_dir: Path, out: Path, dbt_vars: dict | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINTEREST_DBT_TARGET")}
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return subprocess.run(
        [str(adapters_python()), str(COMPILER), target, adapter, str(ROOT), str(profiles_dir), str(out),
         json.dumps(DBT_VARS if dbt_vars is None else dbt_vars)],
        capture_output=True, text=True, env=env, timeout=600,
    )


@pytest.fixture(scope="module")
def compiled(profiles_dir, tmp_path_factory):
    """(target, vars) -> (CompletedProcess, compiled SQL of all models, {model name: its compiled SQL}), compiled
    once; vars default to the engine tests' (a fixed pinterest_as_of)."""
    cache: dict[tuple[str, str], tuple[subprocess.CompletedProcess, str, dict[str, str]]] = {}

    def get(target: str, dbt_vars: dict | None = None):
        key = (target, json.dumps(dbt_vars))
        if key not in cache:
            out = tmp_path_factory.mktemp(f"compiled-{target}")
            proc = compile_for(target, TARGETS.get(target, target), profiles_dir, out, dbt_vars)
            models = out / "compiled" / "pinterest_conversions" / "models"
            files = [p for p in sorted(models.rglob("*.sql")) if not p.parent.name.endswith(".yml")]
            cache[key] = (proc, "\n".join(p.read_text() for p in files), {p.stem: p.read_text() for p in files})
        return cache[key]

    return get


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_models_compile_with_the_engines_own_functions(compiled, target):
    proc, sql, models = compiled(target)
    assert proc.returncode == 0, f"dbt compile --target {target} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-3000:]}"
    assert {"pinterest_conversions", "pinterest_conversions_rejected", "int_pinterest__customers_hashed",
            "stg_pinterest__customers"} <= models.keys()
    must, must_not = EXPECTED_SQL[target]
    lowered = sql.lower()
    for pattern in must:
        assert re.search(pattern.lower(), lowered), f"{target}: compiled SQL lacks {pattern!r}"
    for pattern in must_not:
        assert not re.search(pattern.lower(), lowered), f"{target}: compiled SQL uses {pattern!r}"


def test_unsupported_adapter_fails_at_compile_time_with_a_clear_message(compiled):
    proc, _, _ = compiled("sqlserver")
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "adapter 'sqlserver' is not supported by macro" in output, output[-3000:]


def aggregate_sort_keys(expression: str) -> str:
    """The ORDER BY list of the (first) ordered aggregate in an expression, up to its closing parenthesis."""
    start = expression.index("order by ") + len("order by ")
    depth = 0
    for position in range(start, len(expression)):
        char = expression[position]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return " ".join(expression[start:position].split())
            depth -= 1
    raise AssertionError(f"unterminated ORDER BY in {expression!r}")


@pytest.mark.parametrize("target", ["bigquery", "redshift", "snowflake", "trino"])
def test_content_ids_are_aggregated_with_the_same_sort_keys_as_contents(compiled, target):
    """On engines with ordered aggregates, content_ids is a second aggregate next to contents; the ids only line
    up with the items if both sort by the same keys (every contents field, nulls last, the same collation)."""
    proc, _, models = compiled(target)
    assert proc.returncode == 0, proc.stdout[-3000:]
    sql = models["pinterest_conversions"].lower()
    order_contents = sql[sql.index("order_contents as ("):sql.index("orders_with_contents as (")]
    contents_expr, rest = order_contents.split(" as contents,", 1)
    ids_expr = rest.split(" as content_ids", 1)[0]
    contents_keys, ids_keys = aggregate_sort_keys(contents_expr), aggregate_sort_keys(ids_expr)
    assert contents_keys == ids_keys
    assert contents_keys.count(" is null then 1 else 0 end") == 6, contents_keys


def test_redshift_listagg_orderings_agree(compiled):
    """Redshift rejects a select whose LISTAGG ... WITHIN GROUP clauses order by different values. The project
    keeps a single ordering (contents and content_ids, the same keys); the customers' twelve lists aggregate
    without WITHIN GROUP and sort the SUPER array afterwards."""
    proc, sql, _ = compiled("redshift")
    assert proc.returncode == 0, proc.stdout[-3000:]
    lowered = sql.lower()
    orderings = {aggregate_sort_keys(lowered[m.start():]) for m in re.finditer(r"within group \(order by ", lowered)}
    assert len(orderings) == 1, orderings
    assert "array_sort(array_distinct(json_parse(" in lowered


def quoted_literals(sql: str, backslash_escapes: bool) -> list[str]:
    """The single-quoted string literals of `sql` ('' is a quote; a backslash escapes where the engine says)."""
    literals, i = [], 0
    while i < len(sql):
        if sql.startswith("--", i):  # a line comment
            end = sql.find("\n", i)
            i = len(sql) if end < 0 else end
            continue
        if sql[i] != "'":
            i += 1
            continue
        j, text = i + 1, []
        while j < len(sql):
            if backslash_escapes and sql[j] == "\\":
                text.append(sql[j:j + 2])
                j += 2
            elif sql.startswith("''", j):
                text.append("'")
                j += 2
            elif sql[j] == "'":
                break
            else:
                text.append(sql[j])
                j += 1
        literals.append("".join(text))
        i = j + 1
    return literals


def test_bigquery_string_literals_hold_no_line_breaks_or_control_characters(compiled):
    """BigQuery: "Quoted strings cannot contain newlines". The whitespace set is written as \\uXXXX escapes."""
    proc, sql, _ = compiled("bigquery")
    assert proc.returncode == 0, proc.stdout[-3000:]
    literals = quoted_literals(sql, backslash_escapes=True)
    assert any("\\u3000" in lit for lit in literals)  # the whitespace set is there, escaped
    bad = [lit for lit in literals if re.search("[\x00-\x1f\x85\u2028\u2029]", lit)]
    assert not bad, bad[:3]


# "now" without var pinterest_as_of: Redshift's CURRENT_TIMESTAMP is leader-node only; Trino's must become UTC
# before epoch_seconds reads it as UTC
NOW_SQL = {"redshift": r"getdate\(\)", "trino": r"cast\(current_timestamp at time zone 'utc' as timestamp\(6\)\)",
           "snowflake": r"current_timestamp", "bigquery": r"current_timestamp", "databricks": r"current_timestamp"}


@pytest.mark.parametrize("target", sorted(NOW_SQL))
def test_without_an_as_of_var_now_is_the_engines_utc_now(compiled, target):
    proc, sql, _ = compiled(target, {})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(NOW_SQL[target], sql.lower()), f"{target}: 'now' is not {NOW_SQL[target]!r}"


def test_an_nfc_function_var_replaces_the_engines_own_on_any_adapter(compiled):
    """Snowflake has no NFC; a UDF named by var pinterest_nfc_function takes its place wherever NFC applies."""
    _, plain, _ = compiled("snowflake")
    proc, sql, _ = compiled("snowflake", {**DBT_VARS, "pinterest_nfc_function": "analytics.util.nfc"})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert sql.count("analytics.util.nfc(") >= 5  # names, city, lookup keys...
    assert "analytics.util.nfc(" not in plain


def test_an_nfc_function_var_that_is_not_a_function_name_stops_the_compile(compiled):
    proc, _, _ = compiled("snowflake", {**DBT_VARS, "pinterest_nfc_function": "x); drop table y; --"})
    assert proc.returncode != 0
    assert "pinterest_nfc_function must be a function name" in proc.stdout + proc.stderr
