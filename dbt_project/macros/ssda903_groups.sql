{# The groups indicators are broken down by, in display order. Each has a row per group in the catalogue. #}
{% macro placement_type_groups() -%}
    {{ return(['foster_la', 'foster_agency', 'foster_kinship', 'residential', 'with_parents',
               'independent_supported', 'adoption', 'other']) }}
{%- endmacro %}

{% macro provider_groups() -%}
    {{ return(['own_la', 'other_la', 'other_public', 'private', 'voluntary', 'parents']) }}
{%- endmacro %}
