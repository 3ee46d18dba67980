{#- The non-null values of one text field of an array of structs (as built by sorted_struct_array_agg),
    in array order: content_ids from contents. -#}
{% macro struct_array_field(array_expr, field) -%}
    {{ return(adapter.dispatch('struct_array_field', 'pinterest_conversions')(array_expr, field)) }}
{%- endmacro %}

{% macro default__struct_array_field(array_expr, field) -%}
    {{ pinterest_conversions.unsupported_adapter('struct_array_field') }}
{%- endmacro %}

{% macro duckdb__struct_array_field(array_expr, field) -%}
    list_filter(list_transform({{ array_expr }}, lambda s: s.{{ field }}), lambda v: v is not null)
{%- endmacro %}

{% macro postgres__struct_array_field(array_expr, field) -%}
    array(select e.value ->> '{{ field }}'
          from jsonb_array_elements({{ array_expr }}) with ordinality as e(value, n)
          where e.value ->> '{{ field }}' is not null
          order by e.n)
{%- endmacro %}

{% macro redshift__struct_array_field(array_expr, field) -%}
    {{ pinterest_conversions.unsupported_adapter('struct_array_field') }}
{%- endmacro %}

{% macro spark__struct_array_field(array_expr, field) -%}
    filter(transform({{ array_expr }}, s -> s.{{ field }}), v -> v is not null)
{%- endmacro %}

{% macro snowflake__struct_array_field(array_expr, field) -%}
    array_compact(transform({{ array_expr }}, s -> s:{{ field }}::varchar))
{%- endmacro %}

{% macro bigquery__struct_array_field(array_expr, field) -%}
    array(select s.{{ field }} from unnest({{ array_expr }}) as s with offset as o where s.{{ field }} is not null order by o)
{%- endmacro %}

{% macro trino__struct_array_field(array_expr, field) -%}
    filter(transform({{ array_expr }}, s -> s.{{ field }}), v -> v is not null)
{%- endmacro %}
