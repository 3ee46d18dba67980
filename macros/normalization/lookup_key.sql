{#- The key a free-text country or state is looked up by in the seeds: trimmed, inner whitespace runs
    collapsed to one space, lowercased, Unicode NFC ("  United   Kingdom " -> "united kingdom"). -#}
{% macro lookup_key(expr) -%}
    {%- set ws = pinterest_conversions.whitespace_chars() -%}
    nullif({{ pinterest_conversions.unicode_nfc('lower(' ~ pinterest_conversions.regexp_replace_all(pinterest_conversions.trim_whitespace(expr), '[' ~ ws ~ ']+', ' ') ~ ')') }}, '')
{%- endmacro %}
