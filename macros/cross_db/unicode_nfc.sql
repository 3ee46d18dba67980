{#- Unicode Normalization Form C, so that "é" typed as e + combining accent hashes like the precomposed "é".
    var pinterest_nfc_function (a function name, e.g. a Python UDF calling unicodedata.normalize('NFC', s) that
    returns null for null) replaces the engine's own way on any adapter: for warehouses without one (Snowflake,
    Redshift) or where it is not allowed (reflect() on a Databricks SQL warehouse). -#}
{% macro unicode_nfc(expr) -%}
    {%- set function = (var('pinterest_nfc_function', none) or '') | string | trim -%}
    {%- if function -%}
        {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_$]*([.][A-Za-z_][A-Za-z0-9_$]*){0,2}$', function) -%}
            {{ exceptions.raise_compiler_error("var pinterest_nfc_function must be a function name such as my_db.my_schema.nfc (up to three dotted identifiers), got '" ~ function ~ "'") }}
        {%- endif -%}
        {{ function }}({{ expr }})
    {%- else -%}
        {{ return(adapter.dispatch('unicode_nfc', 'pinterest_conversions')(expr)) }}
    {%- endif -%}
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
