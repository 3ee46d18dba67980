{#- ph: ASCII digits only, leading zeros stripped (so an international "00" prefix goes); a 10-digit number
    gets the country code 1 when the customer's country (country_alpha2_expr, a normalized lowercase alpha-2,
    or var pinterest_default_country when that is null) is us or ca; kept only with 8 to 15 digits. -#}
{% macro normalize_phone(expr, country_alpha2_expr='null') -%}
    {%- set t = pinterest_conversions.trim_whitespace(expr) -%}
    {%- set digits = pinterest_conversions.regexp_replace_all(
            pinterest_conversions.regexp_replace_all(t, '[^0-9]', ''), '^0+', '') -%}
    {%- set country = pinterest_conversions.effective_country(country_alpha2_expr) -%}
    {%- set with_code -%}
        case when length({{ digits }}) = 10 and {{ country }} in ('us', 'ca') then '1' || {{ digits }}
             else {{ digits }} end
    {%- endset -%}
    case when {{ pinterest_conversions.is_prehashed(t) }} then lower({{ t }})
         when length({{ with_code }}) between 8 and 15 then {{ with_code }} end
{%- endmacro %}
