{#- Every order with its event time, value, item count, currency and the one reason it cannot be sent
    (null when it can). Reason codes, first match wins:
      missing_order_id      the transaction row has no order_id
      conflicting_customers the order's rows name more than one amperity_id
      missing_event_time    no row has an order_datetime
      future_event_time     event time after var pinterest_as_of (default: now)
      invalid_currency      a currency that is not a three-letter ISO 4217 code
      conflicting_currencies more than one distinct currency
      negative_value        value < 0
      no_user_identifier    no customer, or the customer has neither a valid email nor a mobile ad id
                            (offline events need em or hashed_maids; IP + user agent do not exist offline) -#}
{%- set default_currency = var('pinterest_default_currency', none) -%}
{%- if default_currency is not none and (default_currency | trim) != '' -%}
    {%- set default_currency = default_currency | trim | upper -%}
    {%- if not modules.re.match('^[A-Z]{3}$', default_currency) -%}
        {{ exceptions.raise_compiler_error("var pinterest_default_currency must be a three-letter ISO 4217 code such as 'USD', got '" ~ default_currency ~ "'") }}
    {%- endif -%}
    {%- set default_currency_sql = "'" ~ default_currency ~ "'" -%}
{%- else -%}
    {%- set default_currency_sql = 'cast(null as ' ~ pinterest_conversions.type_text() ~ ')' -%}
{%- endif -%}

with orders as (

    select * from {{ ref('int_pinterest__orders') }}

),

order_items as (

    select order_id, items_value, items_quantity from {{ ref('int_pinterest__order_items') }}

),

customers as (

    select amperity_id, has_identifier from {{ ref('int_pinterest__customers_hashed') }}

),

as_of as (

    select {{ pinterest_conversions.epoch_seconds(pinterest_conversions.as_of_timestamp()) }} as as_of_epoch

),

joined as (

    select
        orders.order_id,
        orders.amperity_id,
        orders.source_rows,
        orders.has_multiple_customers,
        orders.order_datetime,
        {{ pinterest_conversions.epoch_seconds('orders.order_datetime') }} as event_time,
        coalesce(orders.order_revenue, order_items.items_value) as value_amount,
        cast(coalesce(orders.order_quantity, order_items.items_quantity) as {{ dbt.type_bigint() }}) as num_items,
        orders.currencies_seen,
        orders.has_multiple_currencies,
        orders.has_invalid_currency,
        coalesce(orders.iso_currency, {{ default_currency_sql }}) as currency,
        customers.amperity_id is not null as has_customer,
        coalesce(customers.has_identifier, false) as has_identifier,
        as_of.as_of_epoch
    from orders
    cross join as_of
    left join order_items
        on orders.order_id = order_items.order_id
    left join customers
        on orders.amperity_id = customers.amperity_id

),

validated as (

    select
        joined.*,
        case
            when order_id is null then 'missing_order_id'
            when has_multiple_customers then 'conflicting_customers'
            when event_time is null then 'missing_event_time'
            when event_time > as_of_epoch then 'future_event_time'
            when has_invalid_currency then 'invalid_currency'
            when has_multiple_currencies then 'conflicting_currencies'
            when value_amount < 0 then 'negative_value'
            when not has_identifier then 'no_user_identifier'
        end as rejection_reason
    from joined

)

select * from validated
