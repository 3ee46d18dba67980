{#- Per order: the purchased items (returns and cancellations excluded) as Pinterest `contents` structs and
    `content_ids`, in a deterministic order (product_id, item_name, item_category, item_brand, item_price,
    quantity; nulls last), plus the item totals used when the order row has no revenue or quantity.
    Identical item lines are kept: a line scanned twice is two units. -#}
{%- set sort_keys = ['product_id', 'item_name', 'item_category', 'item_brand', 'item_price', 'item_quantity'] -%}
{%- set order_by = [] -%}
{%- for key in sort_keys -%}
    {%- do order_by.append('case when ' ~ key ~ ' is null then 1 else 0 end') -%}
    {%- do order_by.append(key) -%}
{%- endfor -%}
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
        {{ pinterest_conversions.array_agg_ordered('product_id', order_by) }} as content_ids,
        {{ pinterest_conversions.struct_array_agg(contents_fields, order_by) }} as contents
    from items
    group by order_id

)

select * from per_order
