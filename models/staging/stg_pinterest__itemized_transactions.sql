{#- unified_itemized_transactions, typed; text trimmed (empty -> null); null return/cancellation flags mean
    "not a return / not a cancellation". -#}
{%- set relation = pinterest_conversions.input_relation('pinterest_unified_itemized_transactions', 'unified_itemized_transactions') -%}
{%- set text = pinterest_conversions.type_text() -%}

with source as (

    select * from {{ relation }}

),

renamed as (

    select
        nullif({{ pinterest_conversions.trim_whitespace('cast(order_id as ' ~ text ~ ')') }}, '') as order_id,
        nullif({{ pinterest_conversions.trim_whitespace('cast(product_id as ' ~ text ~ ')') }}, '') as product_id,
        nullif({{ pinterest_conversions.trim_whitespace('cast(item_name as ' ~ text ~ ')') }}, '') as item_name,
        nullif({{ pinterest_conversions.trim_whitespace('cast(item_category as ' ~ text ~ ')') }}, '') as item_category,
        nullif({{ pinterest_conversions.trim_whitespace('cast(item_brand as ' ~ text ~ ')') }}, '') as item_brand,
        cast(item_price as {{ pinterest_conversions.type_amount() }}) as item_price,
        cast(item_quantity as {{ dbt.type_bigint() }}) as item_quantity,
        cast(item_revenue as {{ pinterest_conversions.type_amount() }}) as item_revenue,
        coalesce(cast(is_return as {{ dbt.type_boolean() }}), false) as is_return,
        coalesce(cast(is_cancellation as {{ dbt.type_boolean() }}), false) as is_cancellation

    from source

)

select * from renamed
