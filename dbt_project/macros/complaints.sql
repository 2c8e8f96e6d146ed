{# Complaint natures (raw.complaints_register.nature, ingest/contracts/workforce_codes.yaml), in display order.
   Each has a row complaints_nature_<code>_count in the catalogue (indicator_group complaint_nature). #}
{% macro complaint_natures() -%}
    {{ return(['communication', 'quality_of_service', 'staff_conduct', 'delay', 'decision', 'contact',
               'placement', 'assessment', 'information', 'financial', 'other']) }}
{%- endmacro %}
