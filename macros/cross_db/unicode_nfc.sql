{#- Unicode Normalization Form C, so that "é" typed as e + combining accent hashes like the precomposed "é". -#}
{% macro unicode_nfc(expr) -%}
    {{ return(adapter.dispatch('unicode_nfc', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__unicode_nfc(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('unicode_nfc') }}
{%- endmacro %}

{% macro duckdb__unicode_nfc(expr) -%}
    nfc_normalize({{ expr }})
{%- endmacro %}

{#- Postgres 13+, UTF8 database. -#}
{% macro postgres__unicode_nfc(expr) -%}
    normalize({{ expr }}, NFC)
{%- endmacro %}

{#- Redshift and Snowflake have no built-in Unicode normalization function. The value is
    passed through unchanged: text that arrives decomposed (rare: most sources store NFC) hashes differently
    than on the other engines. Documented in docs/normalization.md. -#}
{% macro redshift__unicode_nfc(expr) -%}
    {{ expr }}
{%- endmacro %}

{#- Spark 4 bundles ICU4J (for collations): its static Normalizer.compose(text, false) is NFC, reachable with
    reflect(). It throws on null, hence the case. Spark 3.x ships no ICU4J: there the query fails
    (ClassNotFoundException) instead of hashing unnormalized text. Proven identical to DuckDB in tests/engines. -#}
{% macro spark__unicode_nfc(expr) -%}
    case when {{ expr }} is not null then reflect('com.ibm.icu.text.Normalizer', 'compose', {{ expr }}, false) end
{%- endmacro %}

{% macro snowflake__unicode_nfc(expr) -%}
    {{ expr }}
{%- endmacro %}

{% macro bigquery__unicode_nfc(expr) -%}
    normalize({{ expr }}, NFC)
{%- endmacro %}

{% macro trino__unicode_nfc(expr) -%}
    normalize({{ expr }}, NFC)
{%- endmacro %}
