{#- customer_360, typed. Text stays as the source wrote it (normalization happens in intermediate); only the
    join key is trimmed. Optional columns missing from the source table come through as typed nulls. -#}
{%- set relation = pinterest_conversions.input_relation('pinterest_customer_360', 'customer_360') -%}
{%- set columns = pinterest_conversions.relation_column_names(relation) -%}

with source as (

    select * from {{ relation }}

),

renamed as (

    select
        nullif({{ pinterest_conversions.trim_whitespace('cast(amperity_id as ' ~ pinterest_conversions.type_text() ~ ')') }}, '') as amperity_id,
        cast(customer_id as {{ pinterest_conversions.type_text() }}) as customer_id,
        cast(email as {{ pinterest_conversions.type_text() }}) as email,
        cast(phone as {{ pinterest_conversions.type_text() }}) as phone,
        cast(given_name as {{ pinterest_conversions.type_text() }}) as given_name,
        cast(surname as {{ pinterest_conversions.type_text() }}) as surname,
        cast(gender as {{ pinterest_conversions.type_text() }}) as gender,
        cast(birthdate as date) as birthdate,
        cast(city as {{ pinterest_conversions.type_text() }}) as city,
        cast(state as {{ pinterest_conversions.type_text() }}) as state,
        cast(postal as {{ pinterest_conversions.type_text() }}) as postal,
        cast(country as {{ pinterest_conversions.type_text() }}) as country,
        {{ pinterest_conversions.optional_column('opt_out', columns, dbt.type_boolean()) }} as opt_out,
        {{ pinterest_conversions.optional_column('limited_data_processing', columns, dbt.type_boolean()) }} as limited_data_processing,
        {{ pinterest_conversions.optional_column('maid', columns, pinterest_conversions.type_text()) }} as maid

    from source

)

select * from renamed
