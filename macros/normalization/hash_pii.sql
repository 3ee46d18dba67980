{#- SHA-256 of a normalized value as 64 lowercase hex characters; a value that already is 64 hex characters is
    lowercased and passed through; null stays null. Apply to the output of a normalize_* macro. -#}
{% macro hash_pii(expr) -%}
    case when {{ pinterest_conversions.is_prehashed(expr) }} then lower({{ expr }})
         else {{ pinterest_conversions.sha256_hex(expr) }} end
{%- endmacro %}
