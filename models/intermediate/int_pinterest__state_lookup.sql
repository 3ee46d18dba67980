{#- Full names of US states (plus DC and the inhabited territories) and Canadian provinces and territories
    -> their two-letter code (lowercase). Two-letter input needs no lookup (see normalize_state_code). -#}

with state_codes as (

    select country, code, name from {{ ref('pinterest_state_codes') }}

),

keyed as (

    select distinct
        {{ pinterest_conversions.lookup_key('name') }} as lookup_key,
        lower(code) as state_code
    from state_codes

)

select * from keyed
