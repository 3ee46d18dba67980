{#- ge: after trim, case-insensitively f/female/woman -> f, m/male/man -> m,
    n/non-binary/nonbinary/non binary -> n; anything else null. -#}
{% macro normalize_gender(expr) -%}
    {%- set l = 'lower(' ~ pinterest_conversions.trim_whitespace(expr) ~ ')' -%}
    case when {{ pinterest_conversions.is_prehashed(l) }} then {{ l }}
         when {{ l }} in ('f', 'female', 'woman') then 'f'
         when {{ l }} in ('m', 'male', 'man') then 'm'
         when {{ l }} in ('n', 'non-binary', 'nonbinary', 'non binary') then 'n' end
{%- endmacro %}
