{#- One row per amperity_id: every user-data field as a sorted list of distinct SHA-256 hex digests.
    Hashing happens here, once per customer row, never per event. Several customer_360 rows with the same
    amperity_id merge: their values become several list entries (Pinterest accepts lists for every field).
    Speed: the usual customer has one row and skips the (costly) list aggregation. -#}
{%- set fields = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id', 'hashed_maids'] -%}

with normalized as (

    select * from {{ ref('int_pinterest__customers_normalized') }}

),

repeated_customers as (

    select amperity_id
    from {{ ref('stg_pinterest__customers') }}
    where amperity_id is not null
    group by amperity_id
    having count(*) > 1

),

hashed as (

    select
        normalized.amperity_id,
        {{ pinterest_conversions.hash_pii('em') }} as em,
        {{ pinterest_conversions.hash_pii('ph') }} as ph,
        {{ pinterest_conversions.hash_pii('fn') }} as fn,
        {{ pinterest_conversions.hash_pii('ln') }} as ln,
        {{ pinterest_conversions.hash_pii('ge') }} as ge,
        {{ pinterest_conversions.hash_pii('db') }} as db,
        {{ pinterest_conversions.hash_pii('ct') }} as ct,
        {{ pinterest_conversions.hash_pii('st') }} as st,
        {{ pinterest_conversions.hash_pii('zp') }} as zp,
        {{ pinterest_conversions.hash_pii('country') }} as country,
        {{ pinterest_conversions.hash_pii('external_id') }} as external_id,
        {{ pinterest_conversions.hash_pii('maid') }} as hashed_maids,
        coalesce(opt_out, false) as opt_out,
        coalesce(limited_data_processing, false) as limited_data_processing,
        repeated_customers.amperity_id is not null as is_repeated
    from normalized
    left join repeated_customers
        on normalized.amperity_id = repeated_customers.amperity_id

),

single_row_customers as (

    select
        amperity_id,
        {%- for field in fields %}
        {{ pinterest_conversions.nullable_to_array(field) }} as {{ field }},
        {%- endfor %}
        opt_out,
        limited_data_processing,
        (em is not null or hashed_maids is not null) as has_identifier
    from hashed
    where not is_repeated

),

multi_row_customers as (

    select
        amperity_id,
        {%- for field in fields %}
        {{ pinterest_conversions.sorted_distinct_array_agg(field) }} as {{ field }},
        {%- endfor %}
        max(case when opt_out then 1 else 0 end) = 1 as opt_out,
        max(case when limited_data_processing then 1 else 0 end) = 1 as limited_data_processing,
        max(case when em is not null or hashed_maids is not null then 1 else 0 end) = 1 as has_identifier
    from hashed
    where is_repeated
    group by amperity_id

),

customers as (

    select * from single_row_customers
    union all
    select * from multi_row_customers

)

select * from customers
