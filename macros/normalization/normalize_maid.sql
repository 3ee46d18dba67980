{#- hashed_maids (mobile advertising id: IDFA/GAID): trim, lowercase; empty -> null. -#}
{% macro normalize_maid(expr) -%}
    nullif(lower({{ pinterest_conversions.trim_whitespace(expr) }}), '')
{%- endmacro %}
