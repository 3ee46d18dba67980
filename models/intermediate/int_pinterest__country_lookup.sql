{#- Every spelling of a country we accept -> its ISO 3166-1 alpha-2 code (lowercase): the alpha-2 code
    itself, the alpha-3 code, the English short name and the aliases seed (UK, USA, Great Britain, ...). -#}

with country_codes as (

    select alpha2, alpha3, name from {{ ref('pinterest_country_codes') }}

),

country_aliases as (

    select alias, alpha2 from {{ ref('pinterest_country_aliases') }}

),

spellings as (

    select alpha2 as spelling, alpha2 from country_codes
    union all
    select alpha3 as spelling, alpha2 from country_codes
    union all
    select name as spelling, alpha2 from country_codes
    union all
    select alias as spelling, alpha2 from country_aliases

),

keyed as (

    select distinct
        {{ pinterest_conversions.lookup_key('spelling') }} as lookup_key,
        lower(alpha2) as alpha2
    from spellings

)

select * from keyed
