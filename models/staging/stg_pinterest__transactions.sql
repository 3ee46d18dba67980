{#- unified_transactions, typed; keys trimmed (empty -> null), currency trimmed and uppercased (empty -> null)
    so that re-loaded copies of a row that differ only in whitespace or case collapse in int_pinterest__orders. -#}
{%- set relation = pinterest_conversions.input_relation('pinterest_unified_transactions', 'unified_transactions') -%}

with source as (

    select * from {{ relation }}

),

renamed as (

    select
        nullif({{ pinterest_conversions.trim_whitespace('cast(amperity_id as ' ~ pinterest_conversions.type_text() ~ ')') }}, '') as amperity_id,
        nullif({{ pinterest_conversions.trim_whitespace('cast(order_id as ' ~ pinterest_conversions.type_text() ~ ')') }}, '') as order_id,
        cast(order_datetime as {{ pinterest_conversions.type_event_timestamp() }}) as order_datetime,
        cast(order_revenue as {{ pinterest_conversions.type_amount() }}) as order_revenue,
        cast(order_quantity as {{ dbt.type_bigint() }}) as order_quantity,
        nullif(upper({{ pinterest_conversions.trim_whitespace('cast(currency as ' ~ pinterest_conversions.type_text() ~ ')') }}), '') as currency

    from source

)

select * from renamed
