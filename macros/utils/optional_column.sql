{#- The column cast to sql_type when the relation has it (columns: relation_column_names(...)), else a typed
    null. For the optional input columns opt_out, limited_data_processing and maid. -#}
{% macro optional_column(column_name, columns, sql_type) -%}
    {%- if column_name | lower in columns -%}
        cast({{ column_name }} as {{ sql_type }})
    {%- else -%}
        cast(null as {{ sql_type }})
    {%- endif -%}
{%- endmacro %}
