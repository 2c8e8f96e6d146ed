{#
  Folder of the published DfE comparator CSVs. Order: var benchmarks_dir (which defaults to the env var
  CSQA_BENCHMARKS_DIR), else <dbt project dir>/../data/benchmarks/dfe. dbt resolves relative paths from the
  working directory, so the default is built from the project directory dbt was given, never from cwd.
#}
{% macro benchmarks_dir() -%}
    {%- set configured = var('benchmarks_dir', '') | trim -%}
    {%- if configured -%}
        {{ configured.rstrip('/') }}
    {%- else -%}
        {%- set project_dir = invocation_args_dict.get('project_dir') or '.' -%}
        {{ project_dir.rstrip('/') }}/../data/benchmarks/dfe
    {%- endif -%}
{%- endmacro %}

{# read one DfE CSV in place, every column as text (numbers are parsed with dfe_number) #}
{% macro read_dfe_csv(file_name) -%}
    read_csv('{{ benchmarks_dir() }}/{{ file_name }}', header = true, all_varchar = true)
{%- endmacro %}
