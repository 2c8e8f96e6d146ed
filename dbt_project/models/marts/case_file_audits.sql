-- One row per case-file audit (int_case_file_audits_assessed; pseudonymous worker and child ids): the file's
-- columns with the team and service its team name maps to ('unmapped:<team name>' under 'unmapped' if not
-- configured; null if blank), whether it was graded outstanding or good, and for an audit finding significant
-- concerns: follow_up_due_date (three months after it), follow_ups (further files of the same worker by then about
-- other children, each file once, and audits naming it in follow_up_of; the re-review is not one of them), re_reviewed (the same child's file audited again by
-- then) and follow_up_compliant (two or more follow-ups and the re-review; null while the three months are still
-- running). audit_kind: what the framework requires of it (int_case_file_audits_assessed). as_at_date: the file's.
with

audits as (

    select * from {{ ref('int_case_file_audits_assessed') }}

),

final as (

    select
        la_code,
        audit_reference,
        task_number,
        audit_type,
        audit_date,
        team_name,
        worker_id,
        child_id,
        auditor_role,
        grade,
        significant_concerns,
        themes,
        follow_up_of,
        team_id,
        service_id,
        audit_kind,
        is_good_or_better,
        follow_up_due_date,
        follow_ups,
        re_reviewed,
        follow_up_compliant,
        as_at_date

    from audits

)

select * from final
