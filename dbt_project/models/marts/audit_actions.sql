-- One row per action set by a case-file audit (the latest loaded file's, should two hold it), with the audit's
-- date, team and service, as the audit indicators count them: an action whose audit is not in the audits file is
-- left out (it could not be dated or given a team). Free text was scrubbed at ingest; no worker or child id.
with

audits as (

    select * from {{ ref('int_case_file_audits_assessed') }}

),

actions as (

    select * from {{ ref('stg_audits__audit_actions') }}

),

final as (

    select
        actions.la_code,
        actions.audit_reference,
        actions.action_number,
        actions.action,
        actions.due_date,
        actions.completed_date,
        audits.audit_date,
        audits.team_id,
        audits.service_id,
        audits.as_at_date

    from actions
    inner join audits
        on actions.la_code = audits.la_code
            and actions.audit_reference = audits.audit_reference
    where actions.action_number is not null
    qualify row_number() over (
            partition by actions.la_code, actions.audit_reference, actions.action_number
            order by actions.load_id desc, actions.source_row desc
        ) = 1

)

select * from final
