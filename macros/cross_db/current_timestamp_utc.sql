{#- The warehouse's "now", as a timestamp epoch_seconds() reads correctly (the as-of instant when the var
    pinterest_as_of is not set). -#}
{% macro current_timestamp_utc() -%}
    {{ return(adapter.dispatch('current_timestamp_utc', 'pinterest_conversions')()) }}
{%- endmacro %}

{#- DuckDB, Postgres, Snowflake, BigQuery: a time-zone-aware current_timestamp; Spark/Databricks: the session
    time zone, which the profile sets to UTC. -#}
{% macro default__current_timestamp_utc() -%}
    current_timestamp
{%- endmacro %}

{#- Redshift: CURRENT_TIMESTAMP is a deprecated leader-node-only function (it fails next to table data);
    GETDATE() is UTC. -#}
{% macro redshift__current_timestamp_utc() -%}
    getdate()
{%- endmacro %}

{#- Trino: cast(current_timestamp as timestamp) keeps the session zone's wall clock, which epoch_seconds would
    read as UTC; convert to UTC first. -#}
{% macro trino__current_timestamp_utc() -%}
    cast(current_timestamp at time zone 'UTC' as timestamp(6))
{%- endmacro %}
