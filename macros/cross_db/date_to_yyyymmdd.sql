{#- A DATE as the 8-character text YYYYMMDD. -#}
{% macro date_to_yyyymmdd(date_expr) -%}
    {{ return(adapter.dispatch('date_to_yyyymmdd', 'pinterest_conversions')(date_expr)) }}
{%- endmacro %}

{% macro default__date_to_yyyymmdd(date_expr) -%}
    {{ pinterest_conversions.unsupported_adapter('date_to_yyyymmdd') }}
{%- endmacro %}

{% macro duckdb__date_to_yyyymmdd(date_expr) -%}
    strftime(cast({{ date_expr }} as date), '%Y%m%d')
{%- endmacro %}

{% macro postgres__date_to_yyyymmdd(date_expr) -%}
    to_char(cast({{ date_expr }} as date), 'YYYYMMDD')
{%- endmacro %}

{% macro spark__date_to_yyyymmdd(date_expr) -%}
    date_format(cast({{ date_expr }} as date), 'yyyyMMdd')
{%- endmacro %}

{% macro snowflake__date_to_yyyymmdd(date_expr) -%}
    to_char(cast({{ date_expr }} as date), 'YYYYMMDD')
{%- endmacro %}

{% macro bigquery__date_to_yyyymmdd(date_expr) -%}
    format_date('%Y%m%d', cast({{ date_expr }} as date))
{%- endmacro %}

{% macro trino__date_to_yyyymmdd(date_expr) -%}
    date_format(cast({{ date_expr }} as date), '%Y%m%d')
{%- endmacro %}
