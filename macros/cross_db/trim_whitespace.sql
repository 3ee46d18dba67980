{#- Remove leading and trailing whitespace (the whitespace_chars() set, Unicode spaces included).
    Engines' plain trim() only removes ASCII spaces, so each implementation passes the character set. -#}
{% macro trim_whitespace(expr) -%}
    {{ return(adapter.dispatch('trim_whitespace', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__trim_whitespace(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('trim_whitespace') }}
{%- endmacro %}

{#- DuckDB's trim(x, characters) is slower than one anchored RE2 replace on high-cardinality columns, and both
    cost far more than looking at the first and last character (x[1], x[-1]: code points): the replace only runs
    on values that start or end with whitespace (or are empty), i.e. rarely (measured: ~90% of the trim cost saved). -#}
{% macro duckdb__trim_whitespace(expr) -%}
    {%- set ws = pinterest_conversions.whitespace_chars() -%}
    case when contains('{{ ws }}', ({{ expr }})[1]) or contains('{{ ws }}', ({{ expr }})[-1])
         then regexp_replace({{ expr }}, '^[{{ ws }}]+|[{{ ws }}]+$', '', 'g') else {{ expr }} end
{%- endmacro %}

{% macro postgres__trim_whitespace(expr) -%}
    btrim({{ expr }}, '{{ pinterest_conversions.whitespace_chars() }}')
{%- endmacro %}

{% macro spark__trim_whitespace(expr) -%}
    trim(both '{{ pinterest_conversions.whitespace_chars() }}' from {{ expr }})
{%- endmacro %}

{% macro snowflake__trim_whitespace(expr) -%}
    trim({{ expr }}, '{{ pinterest_conversions.whitespace_chars() }}')
{%- endmacro %}

{% macro bigquery__trim_whitespace(expr) -%}
    trim({{ expr }}, '{{ pinterest_conversions.whitespace_chars() }}')
{%- endmacro %}

{% macro trino__trim_whitespace(expr) -%}
    trim(both '{{ pinterest_conversions.whitespace_chars() }}' from {{ expr }})
{%- endmacro %}
