{#- Keep only Unicode letters (general category L*): the city rule ("St. Louis" -> "StLouis"). -#}
{% macro remove_non_letters(expr) -%}
    {{ return(adapter.dispatch('remove_non_letters', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__remove_non_letters(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('remove_non_letters') }}
{%- endmacro %}

{% macro duckdb__remove_non_letters(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\p{L}]', '') }}
{%- endmacro %}

{#- Postgres has no \p{..}; [:alpha:] is Unicode-aware in a UTF8 database (ICU or a UTF-8 libc locale). -#}
{% macro postgres__remove_non_letters(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^[:alpha:]]', '') }}
{%- endmacro %}

{#- Redshift's [:alpha:] is ASCII-only, so remove what is certainly not a letter instead
    (spaces, punctuation, digits, controls): non-ASCII symbols may survive. -#}
{% macro redshift__remove_non_letters(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[[:space:][:punct:][:digit:][:cntrl:]' ~ pinterest_conversions.whitespace_chars() ~ ']', '') }}
{%- endmacro %}

{#- Spark unescapes string literals, so the regex backslash is doubled. -#}
{% macro spark__remove_non_letters(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\\\p{L}]', '') }}
{%- endmacro %}

{#- Snowflake regexes are POSIX ERE without \p{..}: same removal approach as Redshift. -#}
{% macro snowflake__remove_non_letters(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[[:space:][:punct:][:digit:][:cntrl:]' ~ pinterest_conversions.whitespace_chars() ~ ']', '') }}
{%- endmacro %}

{% macro bigquery__remove_non_letters(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\\\p{L}]', '') }}
{%- endmacro %}

{% macro trino__remove_non_letters(expr) -%}
    {{ pinterest_conversions.regexp_replace_all(expr, '[^\\p{L}]', '') }}
{%- endmacro %}
