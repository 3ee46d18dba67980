{#- ct: lowercase, Unicode NFC, then only letters kept (spaces, punctuation, digits removed):
    "St. Louis" -> "stlouis", "Montréal" -> "montréal". -#}
{% macro normalize_city(expr) -%}
    {%- set t = pinterest_conversions.trim_whitespace(expr) -%}
    case when {{ pinterest_conversions.is_prehashed(t) }} then lower({{ t }})
         else nullif({{ pinterest_conversions.remove_non_letters(pinterest_conversions.unicode_nfc('lower(' ~ t ~ ')')) }}, '') end
{%- endmacro %}
