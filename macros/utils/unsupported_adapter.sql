{#- Raise the one compile-time error every dispatched macro uses when no implementation matches the adapter.
    There is deliberately no silent SQL fallback: a wrong hash or a half-trimmed value would be sent to
    Pinterest without anybody noticing. -#}
{% macro unsupported_adapter(macro_name) -%}
    {{ exceptions.raise_compiler_error(
        "pinterest_conversions: adapter '" ~ target.type ~ "' is not supported by macro '" ~ macro_name
        ~ "'; add a " ~ target.type ~ "__" ~ macro_name ~ " implementation (see macros/_macros.yml) "
        ~ "or run on duckdb, postgres, redshift, spark, databricks, snowflake, bigquery or trino."
    ) }}
{%- endmacro %}
