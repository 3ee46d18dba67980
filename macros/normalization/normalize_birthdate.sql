{#- db: a DATE as YYYYMMDD; null for dates before 1900-01-01 or after the as-of date
    (default: the date of as_of_timestamp(), i.e. var pinterest_as_of or the current timestamp). -#}
{% macro normalize_birthdate(date_expr, as_of_expr=none) -%}
    {%- set as_of = as_of_expr if as_of_expr is not none else 'cast(' ~ pinterest_conversions.as_of_timestamp() ~ ' as date)' -%}
    case when cast({{ date_expr }} as date) >= cast('1900-01-01' as date)
          and cast({{ date_expr }} as date) <= {{ as_of }}
         then {{ pinterest_conversions.date_to_yyyymmdd(date_expr) }} end
{%- endmacro %}
