{#- One row per amperity_id: every user-data field as a sorted list of distinct SHA-256 hex digests.
    Hashing happens here, once per customer row, never per event. Several customer_360 rows with the same
    amperity_id merge: their values become several list entries (Pinterest accepts lists for every field). -#}

with normalized as (

    select * from {{ ref('int_pinterest__customers_normalized') }}

),

hashed as (

    select
        amperity_id,
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
        opt_out,
        limited_data_processing
    from normalized

),

per_customer as (

    select
        amperity_id,
        {%- for field in ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id', 'hashed_maids'] %}
        {{ pinterest_conversions.sorted_distinct_array_agg(field) }} as {{ field }},
        {%- endfor %}
        max(case when opt_out then 1 else 0 end) = 1 as opt_out,
        max(case when limited_data_processing then 1 else 0 end) = 1 as limited_data_processing,
        max(case when em is not null or hashed_maids is not null then 1 else 0 end) = 1 as has_identifier
    from hashed
    group by amperity_id

)

select * from per_customer
