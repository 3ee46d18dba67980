{#- One row per conversion event, columns named after the Pinterest Conversions API fields so the exporter
    does no renaming. Only orders that passed int_pinterest__orders_validated; the others are in
    pinterest_conversions_rejected.
    contents: the purchased items (returns and cancellations excluded), sorted by id, item_name,
    item_category, item_brand, item_price (as its decimal text), quantity, each ascending with nulls last and
    text in code-point order; content_ids: the non-null ids in that order, aggregated next to contents. Built here, for sendable orders
    only: the items of those orders are aggregated by order_id alone, then joined to the orders (DuckDB
    otherwise built its join hash table on the ~22M item rows at 10M orders). The customers' lists are
    joined once, in the last step. -#}
{%- set user_fields = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id', 'hashed_maids'] -%}
{%- set contents_fields = [
    ['id', 'purchased_items.product_id', 'text'],
    ['item_name', 'purchased_items.item_name', 'text'],
    ['item_category', 'purchased_items.item_category', 'text'],
    ['item_brand', 'purchased_items.item_brand', 'text'],
    ['item_price', pinterest_conversions.decimal_to_text('purchased_items.item_price'), 'text'],
    ['quantity', 'purchased_items.item_quantity', 'bigint'],
] -%}
{%- set text = pinterest_conversions.type_text() -%}

with valid_orders as (

    select order_id, amperity_id, event_time, value_amount, num_items, currency
    from {{ ref('int_pinterest__orders_validated') }}
    where rejection_reason is null

),

purchased_items as (

    select * from {{ ref('stg_pinterest__itemized_transactions') }}
    where order_id in (
            select order_id from {{ ref('int_pinterest__orders_validated') }} where rejection_reason is null
        )
      and not is_return
      and not is_cancellation

),

order_contents as (

    select
        purchased_items.order_id,
        {{ pinterest_conversions.sorted_struct_array_agg(contents_fields) }} as contents,
        {{ pinterest_conversions.sorted_struct_field_agg(contents_fields, 'id') }} as content_ids
    from purchased_items
    group by purchased_items.order_id

),

orders_with_contents as (

    select
        valid_orders.order_id,
        valid_orders.amperity_id,
        valid_orders.event_time,
        valid_orders.value_amount,
        valid_orders.num_items,
        valid_orders.currency,
        order_contents.contents,
        order_contents.content_ids
    from valid_orders
    left join order_contents
        on valid_orders.order_id = order_contents.order_id

),

customers as (

    select * from {{ ref('int_pinterest__customers_hashed') }}

),

events as (

    select
        '{{ var("pinterest_event_name", "checkout") }}' as event_name,
        '{{ var("pinterest_action_source", "offline") }}' as action_source,
        orders_with_contents.event_time,
        {{ pinterest_conversions.sha256_hex(
            "orders_with_contents.order_id || '|' || '" ~ var('pinterest_event_name', 'checkout') ~ "' || '|' || cast(orders_with_contents.event_time as " ~ text ~ ")"
        ) }} as event_id,
        {%- set partner_name = var('pinterest_partner_name', none) %}
        {% if partner_name is none or (partner_name | trim) == '' -%}
        cast(null as {{ text }})
        {%- else -%}
        '{{ partner_name | trim }}'
        {%- endif %} as partner_name,
        customers.opt_out,
        {%- for field in user_fields %}
        customers.{{ field }},
        {%- endfor %}
        cast(null as {{ text }}) as client_ip_address,
        cast(null as {{ text }}) as client_user_agent,
        cast(null as {{ text }}) as click_id,
        cast(null as {{ text }}) as partner_id,
        orders_with_contents.currency,
        {{ pinterest_conversions.decimal_to_text('orders_with_contents.value_amount') }} as value,
        orders_with_contents.order_id,
        cast(orders_with_contents.num_items as {{ dbt.type_bigint() }}) as num_items,
        coalesce(orders_with_contents.content_ids, {{ pinterest_conversions.empty_string_array() }}) as content_ids,
        coalesce(orders_with_contents.contents, {{ pinterest_conversions.empty_struct_array(contents_fields) }}) as contents,
        case when customers.limited_data_processing then 'LDP' end as opt_out_type
    from orders_with_contents
    inner join customers
        on orders_with_contents.amperity_id = customers.amperity_id

)

select * from events
