{#- Per order: the purchased items (returns and cancellations excluded) as Pinterest `contents` structs,
    sorted by id, item_name, item_category, item_brand, item_price (as its decimal text), quantity, each
    ascending with nulls last and text in code-point order; `content_ids` are the non-null ids in that order.
    Also the item totals used when the order row has no revenue or quantity.
    Identical item lines are kept: a line scanned twice is two units. -#}
{%- set contents_fields = [
    ['id', 'product_id', 'text'],
    ['item_name', 'item_name', 'text'],
    ['item_category', 'item_category', 'text'],
    ['item_brand', 'item_brand', 'text'],
    ['item_price', pinterest_conversions.decimal_to_text('item_price'), 'text'],
    ['quantity', 'item_quantity', 'bigint'],
] -%}

with items as (

    select * from {{ ref('stg_pinterest__itemized_transactions') }}
    where order_id is not null
      and not is_return
      and not is_cancellation

),

per_order as (

    select
        order_id,
        count(*) as item_lines,
        sum(item_price * item_quantity) as items_value,
        sum(item_quantity) as items_quantity,
        {{ pinterest_conversions.sorted_struct_array_agg(contents_fields) }} as contents
    from items
    group by order_id

),

with_ids as (

    select
        order_id,
        item_lines,
        items_value,
        items_quantity,
        {{ pinterest_conversions.struct_array_field('contents', 'id') }} as content_ids,
        contents
    from per_order

)

select * from with_ids
