{#- Lowercase hexadecimal SHA-256 of the UTF-8 bytes of a text expression (null stays null). -#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('sha256_hex') }}
{%- endmacro %}

{#- DuckDB's sha256() already returns lowercase hex: wrapping it in to_hex() would hex-encode the hex. -#}
{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{#- Postgres 11+: sha256(bytea) returns bytea. -#}
{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}

{#- Redshift has no sha256(bytea)/convert_to; sha2(text, 256) returns lowercase hex of the UTF-8 bytes. -#}
{% macro redshift__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{% macro snowflake__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{#- BigQuery's sha256() returns BYTES; to_hex() gives lowercase hex. -#}
{% macro bigquery__sha256_hex(expr) -%}
    to_hex(sha256({{ expr }}))
{%- endmacro %}

{#- Trino's to_hex() is uppercase. -#}
{% macro trino__sha256_hex(expr) -%}
    lower(to_hex(sha256(to_utf8({{ expr }}))))
{%- endmacro %}
