{#- Replace every match of a regular expression (pattern and replacement are SQL string literals' contents,
    written without backslashes where possible so they mean the same in every dialect). -#}
{% macro regexp_replace_all(expr, pattern, replacement='') -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'pinterest_conversions')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement='') -%}
    {{ pinterest_conversions.unsupported_adapter('regexp_replace_all') }}
{%- endmacro %}

{#- DuckDB and Postgres replace only the first match unless given the 'g' flag. -#}
{% macro duckdb__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro postgres__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- Redshift's 4th argument is a position, not flags; it replaces every match by default. -#}
{% macro redshift__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro spark__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro snowflake__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro bigquery__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro trino__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
