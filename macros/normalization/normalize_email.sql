{#- em: trim, lowercase; kept only when it looks like an address: exactly one "@", something before it,
    a "." somewhere after it, and no whitespace anywhere. Otherwise null. -#}
{% macro normalize_email(expr) -%}
    {%- set t = pinterest_conversions.trim_whitespace(expr) -%}
    {%- set ws = pinterest_conversions.whitespace_chars() -%}
    case when {{ pinterest_conversions.is_prehashed(t) }} then lower({{ t }})
         when {{ pinterest_conversions.regexp_like('lower(' ~ t ~ ')', '^[^@' ~ ws ~ ']+@[^@' ~ ws ~ ']*[.][^@' ~ ws ~ ']*$') }}
         then lower({{ t }}) end
{%- endmacro %}
