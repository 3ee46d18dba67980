{#- The country a phone or postal rule uses: the customer's normalized alpha-2 code, or, when that is null,
    var pinterest_default_country (default 'us'; null means "no default"). -#}
{% macro effective_country(country_alpha2_expr='null') -%}
    {%- set default = var('pinterest_default_country', 'us') -%}
    {%- if default is none or (default | trim) == '' -%}
        {{ country_alpha2_expr }}
    {%- else -%}
        {%- set default = default | trim | lower -%}
        {%- if not modules.re.match('^[a-z]{2}$', default) -%}
            {{ exceptions.raise_compiler_error("var pinterest_default_country must be an ISO 3166-1 alpha-2 code such as 'us', got '" ~ default ~ "'") }}
        {%- endif -%}
        coalesce({{ country_alpha2_expr }}, '{{ default }}')
    {%- endif -%}
{%- endmacro %}
