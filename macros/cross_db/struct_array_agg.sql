{#- Aggregate: one struct per row, in the order given by order_by (list of SQL expressions).
    fields: list of [name, sql_expr, kind] with kind 'text' or 'bigint'.
    Engines without arrays of structs return JSON of the same objects (Postgres jsonb, Redshift SUPER,
    Snowflake ARRAY of OBJECT). -#}
{% macro struct_array_agg(fields, order_by) -%}
    {{ return(adapter.dispatch('struct_array_agg', 'pinterest_conversions')(fields, order_by)) }}
{%- endmacro %}

{% macro default__struct_array_agg(fields, order_by) -%}
    {{ pinterest_conversions.unsupported_adapter('struct_array_agg') }}
{%- endmacro %}

{% macro _field_type(kind) -%}
    {%- if kind == 'bigint' -%}{{ dbt.type_bigint() }}{%- else -%}{{ dbt.type_string() }}{%- endif -%}
{%- endmacro %}

{% macro duckdb__struct_array_agg(fields, order_by) -%}
    list(struct_pack(
        {%- for f in fields %}{{ f[0] }} := cast({{ f[1] }} as {{ pinterest_conversions._field_type(f[2]) }}){% if not loop.last %}, {% endif %}{% endfor -%}
    ) order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro postgres__struct_array_agg(fields, order_by) -%}
    jsonb_agg(jsonb_build_object(
        {%- for f in fields %}'{{ f[0] }}', {{ f[1] }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ) order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro redshift__struct_array_agg(fields, order_by) -%}
    json_parse('[' || listagg(json_serialize(object(
        {%- for f in fields %}'{{ f[0] }}', {{ f[1] }}{% if not loop.last %}, {% endif %}{% endfor -%}
    )), ',') within group (order by {{ order_by | join(', ') }}) || ']')
{%- endmacro %}

{% macro spark__struct_array_agg(fields, order_by) -%}
    transform(
        array_sort(collect_list(struct(
            {%- for o in order_by %}{{ o }} as k{{ loop.index }}, {% endfor -%}
            named_struct(
                {%- for f in fields %}'{{ f[0] }}', cast({{ f[1] }} as {{ pinterest_conversions._field_type(f[2]) }}){% if not loop.last %}, {% endif %}{% endfor -%}
            ) as v))),
        s -> s.v)
{%- endmacro %}

{% macro snowflake__struct_array_agg(fields, order_by) -%}
    array_agg(object_construct_keep_null(
        {%- for f in fields %}'{{ f[0] }}', {{ f[1] }}{% if not loop.last %}, {% endif %}{% endfor -%}
    )) within group (order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro bigquery__struct_array_agg(fields, order_by) -%}
    array_agg(struct(
        {%- for f in fields %}cast({{ f[1] }} as {{ pinterest_conversions._field_type(f[2]) }}) as {{ f[0] }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ) order by {{ order_by | join(', ') }})
{%- endmacro %}

{% macro trino__struct_array_agg(fields, order_by) -%}
    array_agg(cast(row(
        {%- for f in fields %}{{ f[1] }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ) as row(
        {%- for f in fields %}{{ f[0] }} {{ pinterest_conversions._field_type(f[2]) }}{% if not loop.last %}, {% endif %}{% endfor -%}
    )) order by {{ order_by | join(', ') }})
{%- endmacro %}
