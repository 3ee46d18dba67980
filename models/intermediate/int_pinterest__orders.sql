{#- One row per order_id (plus one row per transaction row that has no order_id, to be rejected).
    Roll-up rule for an order that appears in several transaction rows:
      - rows identical after staging (same customer, time, revenue, quantity, currency) are one row;
      - event time = the earliest order_datetime; revenue and quantity = sums over the distinct rows
        (null when every row has null);
      - more than one distinct amperity_id, or more than one distinct currency, makes the order
        ambiguous: it is flagged here and rejected in int_pinterest__orders_validated. -#}

with transactions as (

    select * from {{ ref('stg_pinterest__transactions') }}

),

currency_codes as (

    select upper(code) as currency_code from {{ ref('pinterest_currency_codes') }}

),

distinct_rows as (

    select distinct
        order_id,
        amperity_id,
        order_datetime,
        order_revenue,
        order_quantity,
        currency
    from transactions
    where order_id is not null

),

with_currency as (

    select
        distinct_rows.*,
        currency_codes.currency_code as iso_currency
    from distinct_rows
    left join currency_codes
        on {{ pinterest_conversions.normalize_currency('distinct_rows.currency') }} = currency_codes.currency_code

),

orders as (

    select
        order_id,
        count(*) as source_rows,
        count(distinct amperity_id) as customer_count,
        min(amperity_id) as amperity_id,
        min(order_datetime) as order_datetime,
        sum(order_revenue) as order_revenue,
        sum(order_quantity) as order_quantity,
        count(distinct currency) as currency_count,
        sum(case when currency is not null and iso_currency is null then 1 else 0 end) as invalid_currency_rows,
        min(currency) as currency_raw,
        min(iso_currency) as iso_currency
    from with_currency
    group by order_id

),

rows_without_order_id as (

    select
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(1 as {{ dbt.type_bigint() }}) as source_rows,
        case when amperity_id is null then 0 else 1 end as customer_count,
        amperity_id,
        order_datetime,
        order_revenue,
        order_quantity,
        case when currency is null then 0 else 1 end as currency_count,
        0 as invalid_currency_rows,
        currency as currency_raw,
        cast(null as {{ dbt.type_string() }}) as iso_currency
    from transactions
    where order_id is null

),

all_orders as (

    select * from orders
    union all
    select * from rows_without_order_id

)

select * from all_orders
