-- The case-file audits the QA framework requires, one row per required audit, and whether it was done: per
-- authority, for the months and quarters wholly inside its audits file's stretch (int_audit_coverage).
--   practice_manager (task 3.16: "one case per month for each worker"): per month, one per case-holding social
--     worker in post at the month's end (int_workforce_worker_months: role SW social worker or SP senior
--     practitioner, the workers practice managers supervise (managers holding a few cases are not audited by
--     themselves); cases held at the month's end; in post) when that month's HR extract is loaded (required_by
--     'hr'), in the worker's HR team; otherwise one per worker whose file appears in any audit that month
--     (required_by 'audits'), in the team of that worker's practice manager audit (else of their first audit
--     that month). Done: a practice manager audit of that worker that month. A second audit of the same worker
--     (a follow-up) does not make up for another worker's.
--   operations_manager (3.14: "one case file for each team per month"): per month, one per team configured in
--     reference/org_units.csv (required_by 'teams'). Done: an operations manager audit of that team that month.
--   peer (3.13 and 3.15: "one case file quarterly for each team"): per financial-year quarter, one per configured
--     team. Done: a peer audit of that team in the quarter.
-- window_start / window_end: the month or quarter; a required audit is counted in the period holding
-- window_end (a quarter's peer audit in its last month).
with

coverage as (

    select * from {{ ref('int_audit_coverage') }}

),

windows as (

    select
        coverage.la_code,
        periods.period_grain,
        periods.period_start as window_start,
        periods.period_end as window_end

    from {{ ref('periods') }} as periods
    inner join coverage
        on periods.period_start >= coverage.coverage_start
            and periods.period_end <= coverage.coverage_end
    where periods.period_grain in ('month', 'quarter')

),

hr_months as (

    select
        la_code,
        month_start

    from {{ ref('int_workforce_coverage') }}

),

case_holders as (

    select
        la_code,
        month_start,
        worker_id,
        team_id,
        service_id

    from {{ ref('int_workforce_worker_months') }}
    where role in ('SW', 'SP')
        and is_case_holder
        and is_in_post_at_month_end
        and worker_id is not null

),

teams as (

    select
        la_code,
        org_id as team_id,
        parent_id as service_id

    from {{ ref('int_org_units_built') }}
    where org_level = 'team'
        and is_mapped

),

audits as (

    select
        la_code,
        audit_reference,
        audit_date,
        cast(date_trunc('month', audit_date) as date) as month_start,
        cast(date_trunc('quarter', audit_date) as date) as quarter_start,
        audit_kind,
        worker_id,
        team_id,
        service_id

    from {{ ref('int_case_file_audits_assessed') }}
    where audit_date is not null

),

practice_manager_done as (

    select distinct
        la_code,
        month_start,
        worker_id

    from audits
    where audit_kind = 'practice_manager'
        and worker_id is not null

),

operations_manager_done as (

    select distinct
        la_code,
        month_start,
        team_id

    from audits
    where audit_kind = 'operations_manager'
        and team_id is not null

),

peer_done as (

    select distinct
        la_code,
        quarter_start,
        team_id

    from audits
    where audit_kind = 'peer'
        and team_id is not null

),

workers_seen as (

    -- months without an HR extract: the workers whose files were audited, in the team of their practice
    -- manager audit (else their first audit) that month
    select
        windows.la_code,
        windows.window_start,
        windows.window_end,
        audits.worker_id,
        audits.team_id,
        audits.service_id

    from windows
    left join hr_months
        on windows.la_code = hr_months.la_code
            and windows.window_start = hr_months.month_start
    inner join audits
        on windows.la_code = audits.la_code
            and windows.window_start = audits.month_start
    where windows.period_grain = 'month'
        and hr_months.la_code is null
        and audits.worker_id is not null
    qualify row_number() over (
            partition by windows.la_code, windows.window_start, audits.worker_id
            order by audits.audit_kind = 'practice_manager' desc, audits.audit_date, audits.audit_reference
        ) = 1

),

required as (

    select
        windows.la_code,
        'practice_manager' as audit_kind,
        'hr' as required_by,
        windows.window_start,
        windows.window_end,
        case_holders.worker_id as unit_key,
        case_holders.team_id,
        case_holders.service_id

    from windows
    inner join hr_months
        on windows.la_code = hr_months.la_code
            and windows.window_start = hr_months.month_start
    inner join case_holders
        on windows.la_code = case_holders.la_code
            and windows.window_start = case_holders.month_start
    where windows.period_grain = 'month'

    union all

    select
        la_code,
        'practice_manager' as audit_kind,
        'audits' as required_by,
        window_start,
        window_end,
        worker_id as unit_key,
        team_id,
        service_id

    from workers_seen

    union all

    select
        windows.la_code,
        case windows.period_grain when 'month' then 'operations_manager' else 'peer' end as audit_kind,
        'teams' as required_by,
        windows.window_start,
        windows.window_end,
        teams.team_id as unit_key,
        teams.team_id,
        teams.service_id

    from windows
    inner join teams
        on windows.la_code = teams.la_code

),

final as (

    select
        required.la_code,
        required.audit_kind,
        required.required_by,
        required.window_start,
        required.window_end,
        required.unit_key,
        required.team_id,
        required.service_id,
        coalesce(
            practice_manager_done.la_code is not null
            or operations_manager_done.la_code is not null
            or peer_done.la_code is not null,
            false
        ) as is_done

    from required
    left join practice_manager_done
        on required.audit_kind = 'practice_manager'
            and required.la_code = practice_manager_done.la_code
            and required.window_start = practice_manager_done.month_start
            and required.unit_key = practice_manager_done.worker_id
    left join operations_manager_done
        on required.audit_kind = 'operations_manager'
            and required.la_code = operations_manager_done.la_code
            and required.window_start = operations_manager_done.month_start
            and required.unit_key = operations_manager_done.team_id
    left join peer_done
        on required.audit_kind = 'peer'
            and required.la_code = peer_done.la_code
            and required.window_start = peer_done.quarter_start
            and required.unit_key = peer_done.team_id

)

select * from final
