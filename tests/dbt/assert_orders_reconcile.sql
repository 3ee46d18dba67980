{#- Every input order ends up in exactly one of pinterest_conversions and pinterest_conversions_rejected:
    returns one row describing the mismatch when counts or membership do not reconcile. -#}

with input_orders as (

    select
        count(distinct order_id)
            + sum(case when order_id is null then 1 else 0 end) as input_count
    from {{ ref('stg_pinterest__transactions') }}

),

sent as (

    select count(*) as sent_count, count(distinct order_id) as sent_distinct
    from {{ ref('pinterest_conversions') }}

),

rejected as (

    select count(*) as rejected_count
    from {{ ref('pinterest_conversions_rejected') }}

),

in_both as (

    select count(*) as both_count
    from {{ ref('pinterest_conversions') }} as c
    inner join {{ ref('pinterest_conversions_rejected') }} as r
        on c.order_id = r.order_id

),

checks as (

    select *
    from input_orders
    cross join sent
    cross join rejected
    cross join in_both

)

select *
from checks
where input_count <> sent_count + rejected_count
   or sent_count <> sent_distinct
   or both_count > 0

