{#- currency: trim, uppercase; three ASCII letters or null. Membership of ISO 4217 is checked against the
    pinterest_currency_codes seed in int_pinterest__orders (unknown code -> rejected as invalid_currency). -#}
{% macro normalize_currency(expr) -%}
    {%- set u = 'upper(' ~ pinterest_conversions.trim_whitespace(expr) ~ ')' -%}
    case when {{ pinterest_conversions.regexp_like(u, '^[A-Z]{3}$') }} then {{ u }} end
{%- endmacro %}
