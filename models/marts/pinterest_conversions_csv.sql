{#-
    The Ads Manager offline-conversions CSV layout: THE one place to change the CSV columns, no Python involved.

    `pinexport csv` writes every column of this model, in this order, with these names as the header row,
    except control columns whose name starts with "_" (never written):
      _skip_reason   not null = leave the event out of the file; counted under that reason in the manifest.
    Rules the exporter enforces, whatever the layout:
      - event_time must stay an integer (Unix seconds, UTC): the month is selected on it;
      - identity columns (email, email_1 .. email_4, madid) must hold lowercase 64-hex SHA-256 hashes (a row with
        anything else is held back and the run fails), and a row needs at least one of them;
      - text cells starting with = + - @ tab or CR get a leading ' (spreadsheet formula injection), except plain
        numbers such as -12.50.
    To send up to four emails, replace `email` by email_1 .. email_4 (see the comment below). To rename a column
    for a new Pinterest template, rename its alias here. Only hashed personal data may appear here.
-#}
{#- first element of an array column (null when empty): engines index arrays differently -#}
{%- set first_of = {
    'spark': 'try_element_at({0}, 1)',
    'databricks': 'try_element_at({0}, 1)',
    'trino': 'element_at({0}, 1)',
    'snowflake': 'cast(get({0}, 0) as varchar)',
    'bigquery': '{0}[safe_offset(0)]',
    'redshift': 'cast({0}[0] as varchar)',
}.get(target.type, '{0}[1]') -%}

with conversions as (

    select * from {{ ref('pinterest_conversions') }}

),

csv_rows as (

    select
        {{ first_of.format('em') }} as email,
        {#- several emails: {{ first_of.format('em') }} as email_1, and for N = 2..4 the N-th element as email_N #}
        {{ first_of.format('hashed_maids') }} as madid,
        event_time,
        event_name as event_type,
        action_source as source_type,
        value,
        currency,
        order_id,
        num_items as quantity,
        -- Ads Manager's CSV has no opt-out field: events of customers who opted out or asked for limited data
        -- processing are left out of the file (and counted); delete these lines to send them anyway.
        case
            when opt_out then 'opt_out'
            when opt_out_type is not null then 'limited_data_processing'
        end as _skip_reason
    from conversions

)

-- stored in this order, which pinexport csv keeps (deterministic files without a sort at export time)
select * from csv_rows
order by event_time, order_id
