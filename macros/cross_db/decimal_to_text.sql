{#- A number as plain decimal text: no exponent, no thousands separator, rounded to 6 decimal places, trailing
    zeros after the decimal point removed and the point too when nothing follows it
    (72.39 -> '72.39', 0.50 -> '0.5', 10.00 -> '10', -0.25 -> '-0.25'). Null stays null.
    Each implementation renders a DECIMAL(38,6) as text and strips the zeros the same way. -#}
{% macro decimal_to_text(expr) -%}
    {{ return(adapter.dispatch('decimal_to_text', 'pinterest_conversions')(expr)) }}
{%- endmacro %}

{% macro default__decimal_to_text(expr) -%}
    {{ pinterest_conversions.unsupported_adapter('decimal_to_text') }}
{%- endmacro %}

{#- shared tail: '12.340000' -> '12.34', '10.000000' -> '10'; text without a point is left alone -#}
{% macro _strip_decimal_zeros(text_expr) -%}
    case when {{ text_expr }} like '%.%'
        then {{ pinterest_conversions.regexp_replace_all(text_expr, '[.]?0+$', '') }}
        else {{ text_expr }} end
{%- endmacro %}

{#- DuckDB always renders the six decimals ('72.390000'), so two rtrim()s strip the zeros and a bare point:
    same text as the shared regex, without a regex per value. -#}
{% macro duckdb__decimal_to_text(expr) -%}
    rtrim(rtrim(cast(cast({{ expr }} as decimal(38,6)) as varchar), '0'), '.')
{%- endmacro %}

{% macro postgres__decimal_to_text(expr) -%}
    {{ pinterest_conversions._strip_decimal_zeros('cast(cast(' ~ expr ~ ' as numeric(38,6)) as text)') }}
{%- endmacro %}

{% macro spark__decimal_to_text(expr) -%}
    {{ pinterest_conversions._strip_decimal_zeros('cast(cast(' ~ expr ~ ' as decimal(38,6)) as string)') }}
{%- endmacro %}

{% macro snowflake__decimal_to_text(expr) -%}
    {{ pinterest_conversions._strip_decimal_zeros('to_varchar(cast(' ~ expr ~ ' as number(38,6)))') }}
{%- endmacro %}

{#- BigQuery renders BIGNUMERIC as plain minimal text (no exponent); the strip is then a no-op. -#}
{% macro bigquery__decimal_to_text(expr) -%}
    {{ pinterest_conversions._strip_decimal_zeros('cast(round(cast(' ~ expr ~ ' as bignumeric), 6) as string)') }}
{%- endmacro %}

{% macro trino__decimal_to_text(expr) -%}
    {{ pinterest_conversions._strip_decimal_zeros('cast(cast(' ~ expr ~ ' as decimal(38,6)) as varchar)') }}
{%- endmacro %}
