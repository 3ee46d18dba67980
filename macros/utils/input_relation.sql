{#- The relation a staging model reads: the var named var_name when the user set it (fivetran style: a
    relation name or "{{ ref('...') }}"/"{{ source('...') }}"), else source('pinterest_source', table_name). -#}
{% macro input_relation(var_name, table_name) -%}
    {%- set override = var(var_name, none) -%}
    {%- if override is not none and (override | string | trim) != '' -%}
        {{ return(override) }}
    {%- else -%}
        {{ return(source('pinterest_source', table_name)) }}
    {%- endif -%}
{%- endmacro %}
