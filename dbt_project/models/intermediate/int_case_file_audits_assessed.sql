-- One row per case-file audit (la_code, audit_reference; should two loaded files hold it, the one with the later
-- as-at date wins), with:
-- - team_id and service_id: the team name mapped through int_team_names_mapped (unknown: 'unmapped:<team name>'
--   under 'unmapped'; no team name: the authority only).
-- - audit_kind, what the framework requires of it: 'practice_manager' (task 3.16, practice managers' monthly
--   supervision audits), 'operations_manager' (3.14, one per team a month), 'peer' (3.13 and 3.15, one per team a
--   quarter), else 'other'. The task number decides; an audit without one is a practice manager's if its type is
--   supervision, an operations manager's if its type is deep_dive and its auditor operations_managers, a peer
--   audit if its type is peer.
-- - is_good_or_better: graded outstanding or good (null if not graded).
-- - for an audit finding significant concerns (null for the rest): follow_up_due_date, three months after the
--   audit; follow_ups, the audits of the same worker after it up to that day (the re-review of the same child's
--   file included: it is one of the worker's files), and audits naming it in follow_up_of whoever's file they are;
--   re_reviewed, the same child's file audited again after it up to that day (by anyone);
--   follow_up_compliant: true once there are two or more follow-ups and the re-review, false if not by the due
--   date, null while the three months are still running at the as-at date. "After" means a later day, or the
--   same day if it names the audit in follow_up_of.
-- - as_at_date: the file's as-at date (meta.loads.period_end).
with

loads as (

    select
        load_id,
        period_end as as_at_date

    from {{ ref('stg_meta__loads') }}

),

audits as (

    select
        audits.*,
        loads.as_at_date

    from {{ ref('stg_audits__case_file_audits') }} as audits
    inner join loads
        on audits.load_id = loads.load_id
    where audits.audit_reference is not null
    qualify row_number() over (
            partition by audits.la_code, audits.audit_reference
            order by loads.as_at_date desc, audits.load_id desc, audits.source_row desc
        ) = 1

),

teams as (

    select * from {{ ref('int_team_names_mapped') }}

),

classified as (

    select
        audits.*,
        teams.team_id,
        teams.service_id,
        case
            when audits.task_number = '3.16' then 'practice_manager'
            when audits.task_number = '3.14' then 'operations_manager'
            when audits.task_number in ('3.13', '3.15') then 'peer'
            when audits.task_number is not null then 'other'
            when audits.audit_type = 'supervision' then 'practice_manager'
            when audits.audit_type = 'deep_dive' and audits.auditor_role = 'operations_managers'
                then 'operations_manager'
            when audits.audit_type = 'peer' then 'peer'
            else 'other'
        end as audit_kind,
        case
            when audits.grade is not null then audits.grade in ('outstanding', 'good')
        end as is_good_or_better,
        case
            when audits.significant_concerns and audits.audit_date is not null
                then cast(audits.audit_date + interval 3 month as date)
        end as follow_up_due_date

    from audits
    left join teams
        on audits.la_code = teams.la_code
            and audits.team_key = teams.team_key

),

later_audits as (

    -- for each significant-concern audit, up to its follow-up due date: the further files of the same worker (or
    -- audits naming it in follow_up_of) about other children, counted once a file; and, in addition (task 3.16:
    -- "a further two files from the same worker ... In addition, the file of concern must be reviewed"), whether
    -- the same child's file was audited again
    select
        concern.la_code,
        concern.audit_reference,
        count(distinct case
            when (later.worker_id = concern.worker_id or later.follow_up_of = concern.audit_reference)
                and later.child_id is distinct from concern.child_id
                then coalesce(later.child_id, later.audit_reference)
        end) as follow_ups,
        coalesce(bool_or(later.child_id = concern.child_id), false) as re_reviewed

    from classified as concern
    inner join classified as later
        on concern.la_code = later.la_code
            and concern.audit_reference <> later.audit_reference
            and later.audit_date <= concern.follow_up_due_date
            and (
                later.audit_date > concern.audit_date
                or (later.audit_date = concern.audit_date and later.follow_up_of = concern.audit_reference)
            )
            and (
                later.worker_id = concern.worker_id
                or later.child_id = concern.child_id
                or later.follow_up_of = concern.audit_reference
            )
    where concern.follow_up_due_date is not null
    group by concern.la_code, concern.audit_reference

),

final as (

    select
        classified.la_code,
        classified.audit_reference,
        classified.task_number,
        classified.audit_type,
        classified.audit_date,
        classified.team_name,
        classified.team_key,
        classified.team_id,
        classified.service_id,
        classified.worker_id,
        classified.child_id,
        classified.auditor_role,
        classified.grade,
        classified.significant_concerns,
        classified.themes,
        classified.follow_up_of,
        classified.audit_kind,
        classified.is_good_or_better,
        classified.follow_up_due_date,
        case
            when classified.follow_up_due_date is not null then cast(coalesce(later_audits.follow_ups, 0) as integer)
        end as follow_ups,
        case
            when classified.follow_up_due_date is not null then coalesce(later_audits.re_reviewed, false)
        end as re_reviewed,
        case
            when classified.follow_up_due_date is null then null
            when coalesce(later_audits.follow_ups, 0) >= 2 and coalesce(later_audits.re_reviewed, false) then true
            when classified.as_at_date >= classified.follow_up_due_date then false
        end as follow_up_compliant,
        classified.as_at_date

    from classified
    left join later_audits
        on classified.la_code = later_audits.la_code
            and classified.audit_reference = later_audits.audit_reference

)

select * from final
