{#- Fails for every row whose value is not null and not a lowercase 64-hex SHA-256 digest. -#}
{% test sha256_hex(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and not {{ pinterest_conversions.regexp_like(column_name, '^[0-9a-f]{64}$') }}

{% endtest %}
