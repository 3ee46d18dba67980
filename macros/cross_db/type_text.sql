{#- The text type for casts: dbt's type_string(), except on Redshift, where that is TEXT = VARCHAR(256) and
    would cut longer values (emails, names, item fields) and so change their hashes; VARCHAR(65535) is
    Redshift's largest. -#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'pinterest_conversions')()) }}
{%- endmacro %}

{% macro default__type_text() -%}
    {{ return(dbt.type_string()) }}
{%- endmacro %}

{% macro redshift__type_text() -%}
    {{ return('varchar(65535)') }}
{%- endmacro %}
