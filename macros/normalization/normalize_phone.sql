{#- ph: ASCII digits only, leading zeros stripped (so an international "00" prefix goes); a 10-digit number
    gets the country code 1 when the customer's country (country_alpha2_expr, a normalized lowercase alpha-2,
    or var pinterest_default_country when that is null) is us or ca; kept only with 8 to 15 digits. -#}
{% macro normalize_phone(expr, country_alpha2_expr='null') -%}
    {%- set t = pinterest_conversions.trim_whitespace(expr) -%}
    {%- set digits = pinterest_conversions.regexp_replace_all(
            pinterest_conversions.regexp_replace_all(t, '[^0-9]', ''), '^0+', '') -%}
    {%- set country = pinterest_conversions.effective_country(country_alpha2_expr) -%}
    {#- a 10-digit number with the code 1 has 11 digits, within 8 to 15: one CASE, so that the digits are written
        (and, on engines without common-subexpression elimination inside CASE, computed) 4 times instead of 6 -#}
    case when {{ pinterest_conversions.is_prehashed(t) }} then lower({{ t }})
         when length({{ digits }}) = 10 and {{ country }} in ('us', 'ca') then '1' || {{ digits }}
         when length({{ digits }}) between 8 and 15 then {{ digits }} end
{%- endmacro %}
