{#- The type order timestamps are cast to: dbt's type_timestamp(), except on Trino, where that is
    timestamp(3): microseconds would be rounded to milliseconds, and .9995 s moves event_time (and event_id) to
    the next second. -#}
{% macro type_event_timestamp() -%}
    {{ return(adapter.dispatch('type_event_timestamp', 'pinterest_conversions')()) }}
{%- endmacro %}

{% macro default__type_event_timestamp() -%}
    {{ return(dbt.type_timestamp()) }}
{%- endmacro %}

{% macro trino__type_event_timestamp() -%}
    {{ return('timestamp(6)') }}
{%- endmacro %}

{#- Snowflake: TIMESTAMP follows the account's TIMESTAMP_TYPE_MAPPING; as TIMESTAMP_LTZ the wall clock would be
    read in the session time zone. NTZ keeps it as written (read as UTC by epoch_seconds). -#}
{% macro snowflake__type_event_timestamp() -%}
    {{ return('timestamp_ntz') }}
{%- endmacro %}
