{#- The type money and prices are cast to: dbt's type_numeric() (numeric(28,6)), except on BigQuery, where that
    is NUMERIC with 9 decimals: item prices would be summed before, not after, their rounding to 6 decimals. -#}
{% macro type_amount() -%}
    {{ return(adapter.dispatch('type_amount', 'pinterest_conversions')()) }}
{%- endmacro %}

{% macro default__type_amount() -%}
    {{ return(dbt.type_numeric()) }}
{%- endmacro %}

{% macro bigquery__type_amount() -%}
    {{ return('numeric(28, 6)') }}
{%- endmacro %}
