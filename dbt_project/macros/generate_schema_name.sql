{#
  Use a model's custom schema name as it is (staging, intermediate, lookup) instead of dbt's default
  <target schema>_<custom>. Models without one (the marts) land in the target schema, main, which is
  what the app reads.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
