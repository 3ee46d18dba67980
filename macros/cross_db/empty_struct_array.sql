{#- A typed empty array of the structs sorted_struct_array_agg(fields) builds (JSON '[]' where that builds JSON). -#}
{% macro empty_struct_array(fields) -%}
    {{ return(adapter.dispatch('empty_struct_array', 'pinterest_conversions')(fields)) }}
{%- endmacro %}

{% macro default__empty_struct_array(fields) -%}
    {{ pinterest_conversions.unsupported_adapter('empty_struct_array') }}
{%- endmacro %}

{% macro duckdb__empty_struct_array(fields) -%}
    cast([] as struct(
        {%- for f in fields %}{{ f[0] }} {{ pinterest_conversions._field_type(f[2]) }}{% if not loop.last %}, {% endif %}{% endfor -%}
    )[])
{%- endmacro %}

{% macro postgres__empty_struct_array(fields) -%}
    cast('[]' as jsonb)
{%- endmacro %}

{% macro redshift__empty_struct_array(fields) -%}
    json_parse('[]')
{%- endmacro %}

{% macro spark__empty_struct_array(fields) -%}
    cast(array() as array<struct<
        {%- for f in fields %}{{ f[0] }}: {{ pinterest_conversions._field_type(f[2]) }}{% if not loop.last %}, {% endif %}{% endfor -%}
    >>)
{%- endmacro %}

{% macro snowflake__empty_struct_array(fields) -%}
    array_construct()
{%- endmacro %}

{% macro bigquery__empty_struct_array(fields) -%}
    cast([] as array<struct<
        {%- for f in fields %}{{ f[0] }} {{ pinterest_conversions._field_type(f[2]) }}{% if not loop.last %}, {% endif %}{% endfor -%}
    >>)
{%- endmacro %}

{% macro trino__empty_struct_array(fields) -%}
    cast(array[] as array(row(
        {%- for f in fields %}{{ f[0] }} {{ pinterest_conversions._field_type(f[2]) }}{% if not loop.last %}, {% endif %}{% endfor -%}
    )))
{%- endmacro %}
