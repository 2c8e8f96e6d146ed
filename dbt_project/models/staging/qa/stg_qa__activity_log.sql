-- The QA activity log as loaded: one row per report or review delivered (task, audience, the period it covers,
-- the day it was delivered, a reference), the whole log as at a date (meta.loads.period_end of its load).
-- audience is normalised to a qa_roles id: the id itself (case-insensitively, spaces and hyphens read as
-- underscores: 'Heads of Service' is heads_of_service), else the role's name (case- and space-insensitively), else
-- the abbreviation the name gives in brackets ('CSCMT', 'LM'); if none matches, the audience is kept as written
-- (is_known_audience false) so it is reported, not lost. is_known_task: the task number is in the register
-- (qa_tasks).
with

source as (

    select * from {{ source('raw', 'qa_activity_log') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        nullif(trim(cast(task_number as varchar)), '') as task_number,
        {{ team_display_name('audience') }} as audience,
        {{ team_key('audience') }} as audience_key,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(delivered_date as date) as delivered_date,
        nullif(trim(reference), '') as reference

    from source

),

roles as (

    select * from {{ ref('qa_roles') }}

),

tasks as (

    select task_number from {{ ref('qa_tasks') }}

),

role_keys as (

    -- every way of naming a role, with its precedence: id, name, bracketed abbreviation
    select
        role_id,
        lower(role_id) as role_key,
        1 as precedence
    from roles

    union all

    select
        role_id,
        {{ team_key('role_name') }} as role_key,
        2 as precedence
    from roles

    union all

    select
        role_id,
        lower(trim(unnest(regexp_extract_all(role_name, '\(([^)]+)\)', 1)))) as role_key,
        3 as precedence
    from roles

    union all

    -- the name without its bracketed abbreviation ("Director of Children's Services")
    select
        role_id,
        {{ team_key("regexp_replace(role_name, '\\s*\\([^)]*\\)', '', 'g')") }} as role_key,
        4 as precedence
    from roles

    union all

    -- the framework document's own shorter names for some audiences
    select
        role_id,
        role_key,
        5 as precedence
    from (
        values
            ('scrutiny', 'scrutiny committee'),
            ('scrutiny', 'the scrutiny committee'),
            ('heads_of_service', 'head of service'),
            ('heads_of_service', 'heads of service'),
            ('lscb_chair', 'chair of lscb'),
            ('lscb_chair', 'lscb chair'),
            ('lead_member', 'lm'),
            ('dcs', 'director of children''s services')
    ) as aliases (role_id, role_key)
    where role_id in (select role_id from roles)

),

matched as (

    select
        renamed.*,
        role_keys.role_id

    from renamed
    left join role_keys
        on role_keys.role_key in (
            renamed.audience_key,
            regexp_replace(renamed.audience_key, '[\s-]+', '_', 'g')
        )
    qualify row_number() over (
            partition by renamed.load_id, renamed.source_row
            order by role_keys.precedence, role_keys.role_id
        ) = 1

),

final as (

    select
        matched.load_id,
        matched.source_row,
        matched.la_code,
        matched.collection_year,
        matched.task_number,
        matched.audience,
        coalesce(matched.role_id, matched.audience) as audience_id,
        matched.role_id is not null as is_known_audience,
        tasks.task_number is not null as is_known_task,
        matched.period_start,
        matched.period_end,
        matched.delivered_date,
        matched.reference

    from matched
    left join tasks
        on matched.task_number = tasks.task_number

)

select * from final
