{#- The characters "trim" removes: exactly those for which Python's str.isspace() is true
    (ASCII tab/LF/VT/FF/CR, the four information separators U+001C-U+001F, space, U+0085 NEL, U+00A0 NBSP,
    U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), for use inside a quoted SQL string literal:
    the engine's trim(chars) argument or a regex bracket expression. Returned as literal characters, so the same
    set works without escape dialects, except where a literal may not hold them. Zero-width space U+200B and the
    BOM U+FEFF are not whitespace in Unicode and are kept. -#}
{% macro whitespace_chars() -%}
    {{ return(adapter.dispatch('whitespace_chars', 'pinterest_conversions')()) }}
{%- endmacro %}

{% macro default__whitespace_chars() -%}
{{ "\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" }}
{%- endmacro %}

{#- BigQuery: "Quoted strings cannot contain newlines", so the set is written as escape sequences, which a
    (non-raw) BigQuery string literal turns into the characters before trim() or RE2 sees them. -#}
{% macro bigquery__whitespace_chars() -%}
{{ "\\u0009\\u000a\\u000b\\u000c\\u000d\\u001c\\u001d\\u001e\\u001f \\u0085\\u00a0\\u1680\\u2000\\u2001\\u2002\\u2003\\u2004\\u2005\\u2006\\u2007\\u2008\\u2009\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000" }}
{%- endmacro %}
