{#
  DfE published figures: the markers c, k, u, x, z and low mean suppressed or not applicable. They are read
  as null (never zero), and the marker is kept as the reason.
#}
{% macro dfe_suppression_markers() -%}
    ('c', 'k', 'u', 'x', 'z', 'low')
{%- endmacro %}

{% macro dfe_number(column_name) -%}
    case
        when lower(trim({{ column_name }})) in {{ dfe_suppression_markers() }} then null
        else try_cast(replace(trim({{ column_name }}), ',', '') as double)
    end
{%- endmacro %}

{% macro dfe_suppression_reason(column_name) -%}
    case
        when lower(trim({{ column_name }})) in {{ dfe_suppression_markers() }} then lower(trim({{ column_name }}))
    end
{%- endmacro %}
