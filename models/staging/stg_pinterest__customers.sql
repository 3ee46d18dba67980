{#- customer_360, typed. Text stays as the source wrote it (normalization happens in intermediate); only the
    join key is trimmed. Optional columns missing from the source table come through as typed nulls. -#}
{%- set relation = pinterest_conversions.input_relation('pinterest_customer_360', 'customer_360') -%}
{%- set columns = pinterest_conversions.relation_column_names(relation) -%}

with source as (

    select * from {{ relation }}

),

renamed as (

    select
        nullif({{ pinterest_conversions.trim_whitespace('cast(amperity_id as ' ~ dbt.type_string() ~ ')') }}, '') as amperity_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(phone as {{ dbt.type_string() }}) as phone,
        cast(given_name as {{ dbt.type_string() }}) as given_name,
        cast(surname as {{ dbt.type_string() }}) as surname,
        cast(gender as {{ dbt.type_string() }}) as gender,
        cast(birthdate as date) as birthdate,
        cast(city as {{ dbt.type_string() }}) as city,
        cast(state as {{ dbt.type_string() }}) as state,
        cast(postal as {{ dbt.type_string() }}) as postal,
        cast(country as {{ dbt.type_string() }}) as country,
        {{ pinterest_conversions.optional_column('opt_out', columns, dbt.type_boolean()) }} as opt_out,
        {{ pinterest_conversions.optional_column('limited_data_processing', columns, dbt.type_boolean()) }} as limited_data_processing,
        {{ pinterest_conversions.optional_column('maid', columns, dbt.type_string()) }} as maid

    from source

)

select * from renamed
