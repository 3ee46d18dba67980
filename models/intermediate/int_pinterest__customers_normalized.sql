{{ config(materialized='view') }}
{#- One row per customer_360 row with every personal field normalized (plaintext, not yet hashed).
    A view on purpose: normalized plaintext PII is never stored; int_pinterest__customers_hashed reads it once.
    Rules: docs/normalization.md and the macros in macros/normalization/. -#}

with customers as (

    select * from {{ ref('stg_pinterest__customers') }}
    where amperity_id is not null

),

country_lookup as (

    select lookup_key, alpha2 from {{ ref('int_pinterest__country_lookup') }}

),

state_lookup as (

    select lookup_key, state_code from {{ ref('int_pinterest__state_lookup') }}

),

with_keys as (

    select
        customers.*,
        {{ pinterest_conversions.lookup_key('customers.country') }} as country_key,
        {{ pinterest_conversions.lookup_key('customers.state') }} as state_key,
        {{ pinterest_conversions.trim_whitespace('customers.country') }} as country_trimmed
    from customers

),

with_country as (

    select
        with_keys.*,
        country_lookup.alpha2 as country_alpha2,
        state_lookup.state_code as state_name_code
    from with_keys
    left join country_lookup
        on with_keys.country_key = country_lookup.lookup_key
    left join state_lookup
        on with_keys.state_key = state_lookup.lookup_key

),

normalized as (

    select
        amperity_id,
        {{ pinterest_conversions.normalize_email('email') }} as em,
        {{ pinterest_conversions.normalize_phone('phone', 'country_alpha2') }} as ph,
        {{ pinterest_conversions.normalize_name('given_name') }} as fn,
        {{ pinterest_conversions.normalize_name('surname') }} as ln,
        {{ pinterest_conversions.normalize_gender('gender') }} as ge,
        {{ pinterest_conversions.normalize_birthdate('birthdate') }} as db,
        {{ pinterest_conversions.normalize_city('city') }} as ct,
        coalesce({{ pinterest_conversions.normalize_state_code('state') }}, state_name_code) as st,
        {{ pinterest_conversions.normalize_postal('postal', 'country_alpha2') }} as zp,
        case when {{ pinterest_conversions.is_prehashed('country_trimmed') }} then lower(country_trimmed)
             else country_alpha2 end as country,
        {{ pinterest_conversions.normalize_external_id('customer_id') }} as external_id,
        {{ pinterest_conversions.normalize_maid('maid') }} as maid,
        opt_out,
        limited_data_processing
    from with_country

)

select * from normalized
