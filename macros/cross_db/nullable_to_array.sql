{#- A one-element text array holding the expression, or an empty array when it is null (the single-row fast
    path of int_pinterest__customers_hashed: no aggregation needed for a customer with one row). -#}
{% macro nullable_to_array(expr) -%}
    {{ return(adapter.dispatch('nullable_to_array', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__nullable_to_array(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('nullable_to_array') }}
{%- endmacro %}

{% macro duckdb__nullable_to_array(expr) -%}
    case when {{ expr }} is null then cast([] as varchar[]) else [{{ expr }}] end
{%- endmacro %}

{% macro postgres__nullable_to_array(expr) -%}
    case when {{ expr }} is null then cast(array[] as text[]) else array[{{ expr }}] end
{%- endmacro %}

{% macro redshift__nullable_to_array(expr) -%}
    case when {{ expr }} is null then json_parse('[]') else array({{ expr }}) end
{%- endmacro %}

{% macro spark__nullable_to_array(expr) -%}
    case when {{ expr }} is null then cast(array() as array<string>) else array({{ expr }}) end
{%- endmacro %}

{% macro snowflake__nullable_to_array(expr) -%}
    case when {{ expr }} is null then array_construct() else array_construct({{ expr }}) end
{%- endmacro %}

{% macro bigquery__nullable_to_array(expr) -%}
    case when {{ expr }} is null then cast([] as array<string>) else [{{ expr }}] end
{%- endmacro %}

{% macro trino__nullable_to_array(expr) -%}
    case when {{ expr }} is null then cast(array[] as array(varchar)) else array[{{ expr }}] end
{%- endmacro %}
