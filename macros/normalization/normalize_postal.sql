{#- zp: for US customers (country_alpha2_expr = 'us', or null with var pinterest_default_country = 'us')
    ASCII digits only, the first five, left-padded with zeros to five ("2134" -> "02134",
    "94107-1234" -> "94107"; no digit -> null); for everyone else lowercase with everything but letters and
    digits removed ("EC3N 4AB" -> "ec3n4ab"). -#}
{% macro normalize_postal(expr, country_alpha2_expr='null') -%}
    {%- set t = pinterest_conversions.trim_whitespace(expr) -%}
    {%- set digits = pinterest_conversions.regexp_replace_all(t, '[^0-9]', '') -%}
    case when {{ pinterest_conversions.is_prehashed(t) }} then lower({{ t }})
         when {{ pinterest_conversions.effective_country(country_alpha2_expr) }} = 'us'
         then case when {{ digits }} <> '' then lpad(substring({{ digits }}, 1, 5), 5, '0') end
         else nullif({{ pinterest_conversions.remove_non_alphanumerics('lower(' ~ t ~ ')') }}, '') end
{%- endmacro %}
