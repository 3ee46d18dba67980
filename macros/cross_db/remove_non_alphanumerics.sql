{#- Keep only Unicode letters and numbers (L* and N*): the non-US postal rule ("EC3N 4AB" -> "EC3N4AB"). -#}
{% macro remove_non_alphanumerics(expr) -%}
    {{ return(adapter.dispatch('remove_non_alphanumerics', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('remove_non_alphanumerics') }}
{%- endmacro %}

{% macro duckdb__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\p{L}\\p{N}]', '') }}
{%- endmacro %}

{% macro postgres__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^[:alpha:][:digit:]]', '') }}
{%- endmacro %}

{% macro redshift__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[[:space:][:punct:][:cntrl:]' ~ pinterest_conversions.whitespace_chars() ~ ']', '') }}
{%- endmacro %}

{% macro spark__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\\\p{L}\\\\p{N}]', '') }}
{%- endmacro %}

{% macro snowflake__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[[:space:][:punct:][:cntrl:]' ~ pinterest_conversions.whitespace_chars() ~ ']', '') }}
{%- endmacro %}

{% macro bigquery__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\\\p{L}\\\\p{N}]', '') }}
{%- endmacro %}

{% macro trino__remove_non_alphanumerics(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\p{L}\\p{N}]', '') }}
{%- endmacro %}
