{#- True when an array of text has an element that is null or not 64 lowercase hex characters
    (the element check of the sha256_hex_list generic test). -#}
{% macro array_has_invalid_sha256(expr) -%}
    {{ return(adapter.dispatch('array_has_invalid_sha256', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__array_has_invalid_sha256(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('array_has_invalid_sha256') }}
{%- endmacro %}

{% macro duckdb__array_has_invalid_sha256(expr) -%}
    len(list_filter({{ expr }}, lambda x: x is null or not regexp_full_match(x, '[0-9a-f]{64}'))) > 0
{%- endmacro %}

{% macro postgres__array_has_invalid_sha256(expr) -%}
    exists (select 1 from unnest({{ expr }}) as e(v) where v is null or v !~ '^[0-9a-f]{64}$')
{%- endmacro %}

{#- Redshift unnests a SUPER array only through a table alias in FROM; the serialized array is checked
    instead: a JSON array of nothing but quoted 64-hex strings ([[] and []] are the brackets themselves). -#}
{% macro redshift__array_has_invalid_sha256(expr) -%}
    ({{ expr }} is not null and not (json_serialize({{ expr }}) ~ '^[[]("[0-9a-f]{64}"(,"[0-9a-f]{64}")*)?[]]$'))
{%- endmacro %}

{% macro spark__array_has_invalid_sha256(expr) -%}
    exists({{ expr }}, x -> x is null or not (x rlike '^[0-9a-f]{64}$'))
{%- endmacro %}

{% macro snowflake__array_has_invalid_sha256(expr) -%}
    array_size(filter({{ expr }}, x -> x is null or not regexp_like(x::varchar, '[0-9a-f]{64}'))) > 0
{%- endmacro %}

{% macro bigquery__array_has_invalid_sha256(expr) -%}
    exists (select 1 from unnest({{ expr }}) as v where v is null or not regexp_contains(v, r'^[0-9a-f]{64}$'))
{%- endmacro %}

{% macro trino__array_has_invalid_sha256(expr) -%}
    any_match({{ expr }}, x -> x is null or not regexp_like(x, '^[0-9a-f]{64}$'))
{%- endmacro %}
