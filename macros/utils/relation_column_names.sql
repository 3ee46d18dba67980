{#- Lowercased column names of a relation, looked up at execute time (an empty list while parsing).
    A Relation is introspected with adapter.get_columns_in_relation; a relation given as text (a var override)
    is probed with a zero-row select. -#}
{% macro relation_column_names(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if relation is string -%}
        {%- set probe = run_query('select * from ' ~ relation ~ ' where 1 = 0') -%}
        {{ return(probe.column_names | map('lower') | list) }}
    {%- else -%}
        {%- set columns = adapter.get_columns_in_relation(relation) -%}
        {{ return(columns | map(attribute='name') | map('lower') | list) }}
    {%- endif -%}
{%- endmacro %}
