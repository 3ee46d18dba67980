{#- Whole Unix seconds (UTC) of a timestamp, as a 64-bit integer; fractions of a second are dropped
    (floor). A timestamp without time zone is read as UTC. -#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'pinterest_conversions')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    {{ pinterest_conversions.unsupported_adapter('epoch_seconds') }}
{%- endmacro %}

{% macro duckdb__epoch_seconds(ts) -%}
    cast(floor(epoch_us({{ ts }}) / 1000000) as bigint)
{%- endmacro %}

{% macro postgres__epoch_seconds(ts) -%}
    cast(floor(extract(epoch from {{ ts }})) as bigint)
{%- endmacro %}

{#- Redshift's EXTRACT returns a 32-bit INTEGER for a TIMESTAMP (it would overflow after 2038-01-19);
    DATEDIFF returns a BIGINT of whole seconds. -#}
{% macro redshift__epoch_seconds(ts) -%}
    datediff(second, cast('1970-01-01 00:00:00' as timestamp), cast({{ ts }} as timestamp))
{%- endmacro %}

{% macro spark__epoch_seconds(ts) -%}
    cast(unix_seconds(cast({{ ts }} as timestamp)) as bigint)
{%- endmacro %}

{% macro snowflake__epoch_seconds(ts) -%}
    cast(date_part(epoch_second, {{ ts }}) as bigint)
{%- endmacro %}

{% macro bigquery__epoch_seconds(ts) -%}
    unix_seconds(cast({{ ts }} as timestamp))
{%- endmacro %}

{% macro trino__epoch_seconds(ts) -%}
    cast(floor(to_unixtime(with_timezone(cast({{ ts }} as timestamp(6)), 'UTC'))) as bigint)
{%- endmacro %}
