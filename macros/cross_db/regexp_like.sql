{#- True when the expression contains a match of the pattern (anchor it with ^...$ for a full match);
    null when the expression is null. -#}
{% macro regexp_like(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_like', 'pinterest_conversions')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_like(expr, pattern) -%}
    {{ pinterest_conversions.unsupported_adapter('regexp_like') }}
{%- endmacro %}

{% macro duckdb__regexp_like(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regexp_like(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_like(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}

{#- Snowflake's regexp_like() is implicitly anchored at both ends; .* around the pattern restores
    "contains" semantics (the patterns used here anchor themselves where they mean to). -#}
{% macro snowflake__regexp_like(expr, pattern) -%}
    regexp_like({{ expr }}, '.*({{ pattern }}).*', 's')
{%- endmacro %}

{% macro bigquery__regexp_like(expr, pattern) -%}
    regexp_contains({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro trino__regexp_like(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}
