{# Case-file audit code lists (ingest/contracts/qa_codes.yaml and docs/contracts.md), in display order. Each grade
   has a row audits_grade_<grade>_count in the catalogue (indicator_group audit_grades), each theme a row
   audits_theme_<theme>_pct (indicator_group audit_themes). #}
{% macro audit_grades() -%}
    {{ return(['outstanding', 'good', 'requires_improvement', 'inadequate']) }}
{%- endmacro %}

{% macro audit_themes() -%}
    {{ return(['multi_agency', 'family_history', 'child_centred', 'fathers', 'plan_review', 'supervision',
               'learning', 'risk_assessment', 'recording', 'timeliness', 'other']) }}
{%- endmacro %}

{# The QA activity log's scheduled frequencies and the length of their periods in months (financial-year aligned:
   every period starts on 1 April plus a multiple of its length). as_required, per_meeting and weekly have no
   schedule. #}
{% macro qa_schedule_frequencies() -%}
    {{ return({'monthly': 1, 'bi_monthly': 2, 'quarterly': 3, 'three_times_yearly': 4, 'twice_yearly': 6,
               'annually': 12}) }}
{%- endmacro %}

{% macro sql_list(values) -%}
    '{{ values | join("', '") }}'
{%- endmacro %}
