{#- Fails for every row whose list column is null or holds an element that is not a lowercase
    64-hex SHA-256 digest. -#}
{% test sha256_hex_list(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
   or {{ pinterest_conversions.array_has_invalid_sha256(column_name) }}

{% endtest %}
