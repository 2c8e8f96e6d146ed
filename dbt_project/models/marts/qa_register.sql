-- The council's QA framework as a register: one row per task, audience and frequency (seeds qa_tasks,
-- qa_task_audiences, qa_roles; a task reported to the same audience at two frequencies, e.g. 1.6 to the Chief
-- Executive monthly and quarterly, has a row for each). audience_name: the role's name. indicator_ids: the
-- catalogue's indicators serving the task (indicator_catalogue.qa_task_ids holds it), ';'-separated in catalogue
-- order; blank when none does.
with

tasks as (

    select * from {{ ref('qa_tasks') }}

),

task_audiences as (

    select * from {{ ref('qa_task_audiences') }}

),

roles as (

    select * from {{ ref('qa_roles') }}

),

catalogue_tasks as (

    select
        indicator_id,
        sort_order,
        trim(unnest(string_split(qa_task_ids, ';'))) as task_number

    from {{ ref('indicator_catalogue') }}
    where qa_task_ids is not null

),

distinct_catalogue_tasks as (

    select distinct
        task_number,
        indicator_id,
        sort_order

    from catalogue_tasks
    where task_number <> ''

),

task_indicators as (

    select
        task_number,
        string_agg(indicator_id, ';' order by sort_order, indicator_id) as indicator_ids

    from distinct_catalogue_tasks
    group by task_number

),

final as (

    select
        cast(tasks.task_number as varchar) as task_number,
        cast(tasks.part as integer) as part,
        cast(tasks.part_name as varchar) as part_name,
        cast(tasks.section as varchar) as section,
        cast(tasks.role_text as varchar) as role_text,
        cast(tasks.role_ids as varchar) as role_ids,
        cast(tasks.task as varchar) as task,
        cast(tasks.frequency_text as varchar) as frequency_text,
        cast(tasks.purpose as varchar) as purpose,
        cast(task_audiences.audience_id as varchar) as audience_id,
        cast(roles.role_name as varchar) as audience_name,
        cast(task_audiences.frequency as varchar) as frequency,
        cast(task_indicators.indicator_ids as varchar) as indicator_ids

    from tasks
    left join task_audiences
        on tasks.task_number = task_audiences.task_number
    left join roles
        on task_audiences.audience_id = roles.role_id
    left join task_indicators
        on tasks.task_number = task_indicators.task_number

)

select * from final
