{#- Aggregate: the distinct non-null values of a text expression as an array sorted ascending by code point
    (binary order, the same on every engine). An empty array, not null, when there is no value. -#}
{% macro sorted_distinct_array_agg(expr) -%}
    {{ return(adapter.dispatch('sorted_distinct_array_agg', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__sorted_distinct_array_agg(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('sorted_distinct_array_agg') }}
{%- endmacro %}

{#- list() keeps nulls; list_distinct() drops them. -#}
{% macro duckdb__sorted_distinct_array_agg(expr) -%}
    list_sort(list_distinct(list({{ expr }})))
{%- endmacro %}

{% macro postgres__sorted_distinct_array_agg(expr) -%}
    coalesce(array_agg(distinct {{ expr }} order by {{ expr }}) filter (where {{ expr }} is not null), cast(array[] as text[]))
{%- endmacro %}

{#- Redshift allows several LISTAGG ... WITHIN GROUP in one select only if they all order by the same values,
    and the customer model aggregates twelve fields at once: so no WITHIN GROUP and no DISTINCT here; the
    SUPER array is made distinct and sorted afterwards (ARRAY_DISTINCT, ARRAY_SORT). json_serialize quotes
    and escapes each value (of a null it would return the text 'null', hence the case); LISTAGG skips nulls
    and returns null when there is no value. -#}
{% macro redshift__sorted_distinct_array_agg(expr) -%}
    array_sort(array_distinct(json_parse('[' || coalesce(listagg(case when {{ expr }} is not null
        then json_serialize(cast({{ expr }} as super)) end, ','), '') || ']')))
{%- endmacro %}

{#- collect_set() drops nulls and returns an empty array for none. -#}
{% macro spark__sorted_distinct_array_agg(expr) -%}
    array_sort(collect_set({{ expr }}))
{%- endmacro %}

{#- array_agg() drops nulls; over no value it returns an empty array. -#}
{% macro snowflake__sorted_distinct_array_agg(expr) -%}
    array_agg(distinct {{ expr }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro bigquery__sorted_distinct_array_agg(expr) -%}
    coalesce(array_agg(distinct {{ expr }} ignore nulls order by {{ expr }}), cast([] as array<string>))
{%- endmacro %}

{% macro trino__sorted_distinct_array_agg(expr) -%}
    coalesce(array_sort(array_distinct(array_agg({{ expr }}) filter (where {{ expr }} is not null))), cast(array[] as array(varchar)))
{%- endmacro %}
