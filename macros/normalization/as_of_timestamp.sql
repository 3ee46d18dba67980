{#- "Now" for the future-event-time and future-birthdate checks: var pinterest_as_of (an ISO timestamp in UTC,
    e.g. '2026-11-22 00:00:00') when set, else the warehouse's current time (current_timestamp_utc). -#}
{% macro as_of_timestamp() -%}
    {%- set as_of = var('pinterest_as_of', none) -%}
    {%- if as_of is none or (as_of | string | trim) == '' -%}
        {{ pinterest_conversions.current_timestamp_utc() }}
    {%- else -%}
        cast('{{ as_of | string | trim | replace("T", " ") | replace("Z", "") }}' as timestamp)
    {%- endif -%}
{%- endmacro %}
