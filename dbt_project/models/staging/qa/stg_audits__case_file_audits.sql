-- Case-file audits as loaded: one row per audit, the whole record as at a date (meta.loads.period_end of its
-- load). Codes lower-cased (audit type, grade, auditor role); team names tidied as Annex A's (team_key for
-- matching); themes kept as written here (lower-cased, spaces tidied; split into rows by int_audit_themes_split).
-- worker_id and child_id are keyed pseudonyms (the worker's the same as in the HR extract).
with

source as (

    select * from {{ source('raw', 'audits_case_file_audits') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        nullif(trim(cast(audit_reference as varchar)), '') as audit_reference,
        nullif(trim(cast(task_number as varchar)), '') as task_number,
        lower(nullif(trim(audit_type), '')) as audit_type,
        cast(audit_date as date) as audit_date,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        nullif(trim(cast(worker_id as varchar)), '') as worker_id,
        nullif(trim(cast(child_id as varchar)), '') as child_id,
        lower(nullif(trim(auditor_role), '')) as auditor_role,
        lower(nullif(trim(grade), '')) as grade,
        cast(significant_concerns as boolean) as significant_concerns,
        lower(nullif(trim(regexp_replace(themes, '\s+', ' ', 'g')), '')) as themes,
        nullif(trim(cast(follow_up_of as varchar)), '') as follow_up_of

    from source

)

select * from renamed
