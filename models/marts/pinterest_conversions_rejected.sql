{#- Every input order that cannot become a valid event, with one reason code and context that helps fix the
    source. No personal data: only order-level facts and counts. -#}

with rejected as (

    select * from {{ ref('int_pinterest__orders_validated') }}
    where rejection_reason is not null

),

final as (

    select
        order_id,
        rejection_reason as reason,
        event_time,
        order_datetime,
        source_rows,
        has_multiple_customers,
        has_customer,
        has_identifier,
        currencies_seen,
        {{ pinterest_conversions.decimal_to_text('value_amount') }} as value,
        num_items
    from rejected

)

select * from final
