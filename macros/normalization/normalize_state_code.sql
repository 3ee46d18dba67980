{#- st, code part: a two-letter a-z code after trim + lowercase, else null. Full US state and Canadian
    province names are mapped to codes by joining lookup_key(state) to the pinterest_state_codes seed
    (see int_pinterest__customers_normalized); the model takes the code, else the seed match. -#}
{% macro normalize_state_code(expr) -%}
    {%- set l = 'lower(' ~ pinterest_conversions.trim_whitespace(expr) ~ ')' -%}
    case when {{ pinterest_conversions.is_prehashed(l) }} then {{ l }}
         when {{ pinterest_conversions.regexp_like(l, '^[a-z]{2}$') }} then {{ l }} end
{%- endmacro %}
