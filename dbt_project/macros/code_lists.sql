{#
  SSDA903 code lists are seeded with first_collection_year / last_collection_year (blank = open ended).
  An episode's code is decoded with the row valid for the episode's collection year; a code used outside
  its years (for example an H5 placement carried into a later return) falls back to the code's latest row.
#}
{% macro code_list(seed_name, code_column) -%}
    select
        *,
        coalesce(first_collection_year, 0) as valid_from_year,
        coalesce(last_collection_year, 9999) as valid_to_year,
        row_number() over (
            partition by {{ code_column }} order by coalesce(last_collection_year, 9999) desc
        ) = 1 as is_latest_version
    from {{ ref(seed_name) }}
{%- endmacro %}

{% macro join_code_list(list_cte, alias, code_column, episode_code, year_column) -%}
    left join {{ list_cte }} as {{ alias }}_in_year
        on {{ alias }}_in_year.{{ code_column }} = {{ episode_code }}
        and {{ year_column }} between {{ alias }}_in_year.valid_from_year and {{ alias }}_in_year.valid_to_year
    left join {{ list_cte }} as {{ alias }}_latest
        on {{ alias }}_latest.{{ code_column }} = {{ episode_code }}
        and {{ alias }}_latest.is_latest_version
{%- endmacro %}

{% macro decoded(alias, column) -%}
    coalesce({{ alias }}_in_year.{{ column }}, {{ alias }}_latest.{{ column }})
{%- endmacro %}
