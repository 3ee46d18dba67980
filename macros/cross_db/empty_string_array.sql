{#- An empty array of text, typed, for "nothing valid remains" (the hashed user-data lists are never null). -#}
{% macro empty_string_array() -%}
    {{ return(adapter.dispatch('empty_string_array', 'pinterest_conversions')()) }}
{%- endmacro %}

{% macro default__empty_string_array() -%}
    {{ pinterest_conversions.unsupported_adapter('empty_string_array') }}
{%- endmacro %}

{% macro duckdb__empty_string_array() -%}
    cast([] as varchar[])
{%- endmacro %}

{% macro postgres__empty_string_array() -%}
    cast(array[] as text[])
{%- endmacro %}

{#- Redshift has no array type: lists are SUPER values. -#}
{% macro redshift__empty_string_array() -%}
    json_parse('[]')
{%- endmacro %}

{% macro spark__empty_string_array() -%}
    cast(array() as array<string>)
{%- endmacro %}

{% macro snowflake__empty_string_array() -%}
    array_construct()
{%- endmacro %}

{% macro bigquery__empty_string_array() -%}
    cast([] as array<string>)
{%- endmacro %}

{% macro trino__empty_string_array() -%}
    cast(array[] as array(varchar))
{%- endmacro %}
