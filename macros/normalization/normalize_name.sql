{#- fn, ln: trim, lowercase, Unicode NFC; inner spaces and punctuation kept ("Anne Marie" -> "anne marie"). -#}
{% macro normalize_name(expr) -%}
    {%- set t = pinterest_conversions.trim_whitespace(expr) -%}
    case when {{ pinterest_conversions.is_prehashed(t) }} then lower({{ t }})
         else nullif({{ pinterest_conversions.unicode_nfc('lower(' ~ t ~ ')') }}, '') end
{%- endmacro %}
