{#- Aggregate: the non-null values of one text field of the rows, in the order sorted_struct_array_agg(fields)
    puts those rows (content_ids next to contents, from the same group). fields: as for
    sorted_struct_array_agg; field: the name of one of them. Null (or empty) when every value is null
    (the model coalesces to an empty array). Built in the aggregation rather than read back from the contents
    array, because Redshift's SUPER arrays cannot be transformed in an expression. -#}
{% macro sorted_struct_field_agg(fields, field) -%}
    {{ return(adapter.dispatch('sorted_struct_field_agg', 'pinterest_conversions')(fields, field)) }}
{%- endmacro %}

{% macro default__sorted_struct_field_agg(fields, field) -%}
    {{ pinterest_conversions.unsupported_adapter('sorted_struct_field_agg') }}
{%- endmacro %}

{#- The SQL expression of the named field. -#}
{% macro _struct_field_expr(fields, field) -%}
    {%- set matches = [] -%}
    {%- for f in fields if f[0] == field -%}{%- do matches.append(f[1]) -%}{%- endfor -%}
    {%- if matches | length != 1 -%}
        {{ exceptions.raise_compiler_error("sorted_struct_field_agg: '" ~ field ~ "' is not one of the fields") }}
    {%- endif -%}
    {{ matches[0] }}
{%- endmacro %}

{#- DuckDB and Spark: the field read back from the very contents expression. Both engines compute a repeated
    expression once (DuckDB's common-subexpression optimizer over the projection, Spark's subexpression
    elimination), so the aggregate and its sort run once for both columns (measured in bench/bench_dbt.py). -#}
{% macro duckdb__sorted_struct_field_agg(fields, field) -%}
    list_filter(list_transform({{ pinterest_conversions.sorted_struct_array_agg(fields) }},
        lambda s: s.{{ field }}), lambda v: v is not null)
{%- endmacro %}

{% macro spark__sorted_struct_field_agg(fields, field) -%}
    filter(transform({{ pinterest_conversions.sorted_struct_array_agg(fields) }}, s -> s.{{ field }}),
        v -> v is not null)
{%- endmacro %}

{% macro postgres__sorted_struct_field_agg(fields, field) -%}
    {%- set expr = pinterest_conversions._struct_field_expr(fields, field) -%}
    array_agg(cast({{ expr }} as text) order by {{ pinterest_conversions._struct_sort_keys(fields, ' collate "C"') }})
        filter (where {{ expr }} is not null)
{%- endmacro %}

{#- LISTAGG skips nulls; json_serialize of the value cast to SUPER is the JSON string, escapes included
    (json_serialize(null) would be the text 'null', hence the case). Redshift requires every LISTAGG ... WITHIN
    GROUP of one select to order by the same values: the keys are those of contents by construction (checked by
    tests/engines/test_adapters_compile.py). -#}
{% macro redshift__sorted_struct_field_agg(fields, field) -%}
    {%- set expr = pinterest_conversions._struct_field_expr(fields, field) -%}
    json_parse('[' || listagg(case when {{ expr }} is not null
        then json_serialize(cast({{ expr }} as super)) end, ',')
        within group (order by {{ pinterest_conversions._struct_sort_keys(fields) }}) || ']')
{%- endmacro %}

{#- ARRAY_AGG drops nulls. -#}
{% macro snowflake__sorted_struct_field_agg(fields, field) -%}
    {%- set expr = pinterest_conversions._struct_field_expr(fields, field) -%}
    array_agg(cast({{ expr }} as varchar))
        within group (order by {{ pinterest_conversions._struct_sort_keys(fields, " collate 'utf8'") }})
{%- endmacro %}

{#- An ARRAY_AGG over no row is null (coalesced by the model). -#}
{% macro bigquery__sorted_struct_field_agg(fields, field) -%}
    {%- set expr = pinterest_conversions._struct_field_expr(fields, field) -%}
    array_agg(cast({{ expr }} as string) ignore nulls
        order by {{ pinterest_conversions._struct_sort_keys(fields) }})
{%- endmacro %}

{% macro trino__sorted_struct_field_agg(fields, field) -%}
    {%- set expr = pinterest_conversions._struct_field_expr(fields, field) -%}
    array_agg(cast({{ expr }} as varchar) order by {{ pinterest_conversions._struct_sort_keys(fields) }})
        filter (where {{ expr }} is not null)
{%- endmacro %}
