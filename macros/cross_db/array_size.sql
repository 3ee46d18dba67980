{#- Number of elements of an array (0 for an empty array). -#}
{% macro array_size(expr) -%}
    {{ return(adapter.dispatch('array_size', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__array_size(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('array_size') }}
{%- endmacro %}

{% macro duckdb__array_size(expr) -%}
    len({{ expr }})
{%- endmacro %}

{% macro postgres__array_size(expr) -%}
    coalesce(cardinality({{ expr }}), 0)
{%- endmacro %}

{% macro redshift__array_size(expr) -%}
    get_array_length({{ expr }})
{%- endmacro %}

{% macro spark__array_size(expr) -%}
    size({{ expr }})
{%- endmacro %}

{% macro snowflake__array_size(expr) -%}
    array_size({{ expr }})
{%- endmacro %}

{% macro bigquery__array_size(expr) -%}
    array_length({{ expr }})
{%- endmacro %}

{% macro trino__array_size(expr) -%}
    cardinality({{ expr }})
{%- endmacro %}
