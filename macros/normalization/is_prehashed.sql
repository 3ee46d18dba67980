{#- True when a (trimmed) text is already a SHA-256 digest: exactly 64 hexadecimal characters, any case.
    Such values are lowercased and passed through by every normalize_* macro and by hash_pii, never re-hashed. -#}
{#- The length test first lets engines skip the regex for almost every value. -#}
{% macro is_prehashed(expr) -%}
    (length({{ expr }}) = 64 and {{ pinterest_conversions.regexp_like(expr, '^[0-9A-Fa-f]{64}$') }})
{%- endmacro %}
