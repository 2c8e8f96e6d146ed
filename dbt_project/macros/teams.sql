{#
  Team names as councils type them in Annex A's "Allocated Team" and in reference/org_units.csv: matched
  case- and space-insensitively (runs of spaces, tabs and non-breaking spaces count as one space).
  team_display_name keeps the case but tidies the spaces; team_key is what names are matched on.
#}
{% macro team_display_name(column_name) -%}
    nullif(trim(regexp_replace({{ column_name }}, '[\s\x{00A0}]+', ' ', 'g')), '')
{%- endmacro %}

{% macro team_key(column_name) -%}
    lower({{ team_display_name(column_name) }})
{%- endmacro %}
