{#- One row per conversion event, columns named after the Pinterest Conversions API fields so the exporter
    does no renaming. Only orders that passed int_pinterest__orders_validated; the others are in
    pinterest_conversions_rejected. -#}
{%- set user_fields = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id', 'hashed_maids'] -%}
{%- set contents_fields = [
    ['id', 'null', 'text'], ['item_name', 'null', 'text'], ['item_category', 'null', 'text'],
    ['item_brand', 'null', 'text'], ['item_price', 'null', 'text'], ['quantity', 'null', 'bigint'],
] -%}
{%- set text = dbt.type_string() -%}

with valid_orders as (

    select * from {{ ref('int_pinterest__orders_validated') }}
    where rejection_reason is null

),

customers as (

    select * from {{ ref('int_pinterest__customers_hashed') }}

),

events as (

    select
        '{{ var("pinterest_event_name", "checkout") }}' as event_name,
        '{{ var("pinterest_action_source", "offline") }}' as action_source,
        valid_orders.event_time,
        {{ pinterest_conversions.sha256_hex(
            "valid_orders.order_id || '|' || '" ~ var('pinterest_event_name', 'checkout') ~ "' || '|' || cast(valid_orders.event_time as " ~ text ~ ")"
        ) }} as event_id,
        {%- set partner_name = var('pinterest_partner_name', none) %}
        {% if partner_name is none or (partner_name | trim) == '' -%}
        cast(null as {{ text }})
        {%- else -%}
        '{{ partner_name | trim }}'
        {%- endif %} as partner_name,
        customers.opt_out,
        {%- for field in user_fields %}
        customers.{{ field }},
        {%- endfor %}
        cast(null as {{ text }}) as client_ip_address,
        cast(null as {{ text }}) as client_user_agent,
        cast(null as {{ text }}) as click_id,
        cast(null as {{ text }}) as partner_id,
        valid_orders.currency,
        {{ pinterest_conversions.decimal_to_text('valid_orders.value_amount') }} as value,
        valid_orders.order_id,
        cast(valid_orders.num_items as {{ dbt.type_bigint() }}) as num_items,
        coalesce(valid_orders.content_ids, {{ pinterest_conversions.empty_string_array() }}) as content_ids,
        coalesce(valid_orders.contents, {{ pinterest_conversions.empty_struct_array(contents_fields) }}) as contents,
        case when customers.limited_data_processing then 'LDP' end as opt_out_type
    from valid_orders
    inner join customers
        on valid_orders.amperity_id = customers.amperity_id

)

select * from events
