{#- Aggregate: the non-null values of a text expression as an array in the order given by order_by (a list of
    SQL expressions, compared in turn); an empty array, not null, when there is no value. -#}
{% macro array_agg_ordered(expr, order_by) -%}
    {{ return(adapter.dispatch('array_agg_ordered', 'pinterest_conversions')(expr, order_by)) }}
{%- endmacro %}

{% macro default__array_agg_ordered(expr, order_by) -%}
    {{ pinterest_conversions.unsupported_adapter('array_agg_ordered') }}
{%- endmacro %}

{% macro duckdb__array_agg_ordered(expr, order_by) -%}
    coalesce(list({{ expr }} order by {{ order_by | join(', ') }}) filter (where {{ expr }} is not null), cast([] as varchar[]))
{%- endmacro %}

{% macro postgres__array_agg_ordered(expr, order_by) -%}
    coalesce(array_agg({{ expr }} order by {% for o in order_by %}{{ o }}{% if not loop.last %}, {% endif %}{% endfor %}) filter (where {{ expr }} is not null), cast(array[] as text[]))
{%- endmacro %}

{% macro redshift__array_agg_ordered(expr, order_by) -%}
    json_parse(coalesce('[' || listagg(json_serialize(to_json({{ expr }})), ',') within group (order by {{ order_by | join(', ') }}) || ']', '[]'))
{%- endmacro %}

{#- Spark has no ordered aggregate: sort structs whose leading fields are the sort keys, then keep the value. -#}
{% macro spark__array_agg_ordered(expr, order_by) -%}
    transform(
        array_sort(collect_list(case when {{ expr }} is not null then struct(
            {%- for o in order_by %}{{ o }} as k{{ loop.index }}, {% endfor %}{{ expr }} as v) end)),
        s -> s.v)
{%- endmacro %}

{% macro snowflake__array_agg_ordered(expr, order_by) -%}
    array_agg({{ expr }}) within group (order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro bigquery__array_agg_ordered(expr, order_by) -%}
    coalesce(array_agg({{ expr }} ignore nulls order by {{ order_by | join(', ') }}), cast([] as array<string>))
{%- endmacro %}

{% macro trino__array_agg_ordered(expr, order_by) -%}
    coalesce(array_agg({{ expr }} order by {{ order_by | join(', ') }}) filter (where {{ expr }} is not null), cast(array[] as array(varchar)))
{%- endmacro %}
