{#- external_id (from customer_id): trim only, case kept; empty -> null. -#}
{% macro normalize_external_id(expr) -%}
    {%- set t = pinterest_conversions.trim_whitespace(expr) -%}
    case when {{ pinterest_conversions.is_prehashed(t) }} then lower({{ t }})
         else nullif({{ t }}, '') end
{%- endmacro %}
