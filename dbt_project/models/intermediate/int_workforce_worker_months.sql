-- One row per worker and month of the monthly HR extract (la_code, month_start, worker_id; should two files of
-- the same month be loaded, the later load's rows), with the team and service the worker's team name
-- maps to (int_team_names_mapped: an unknown name is 'unmapped:<team name>' under the service 'unmapped'; no
-- team name, no team: the worker counts for the authority only).
-- In post at the month's end: started on or before its last day and not left on or before it (leave_date after
-- the last day, or none), the rule every stock measure uses ("open on day d"). A worker whose leave_date is the
-- last day of the month has left by its end: a leaver of that month, not in post at its end (as CSWW counts staff
-- leaving on 30 September). started_in_month / left_in_month: start_date / leave_date within the month.
-- Social workers: every role but UNQ. Employees: permanent and fixed-term; agency: agency.
with

latest_files as (

    -- should two workers files of the same month be loaded, the later one's rows (a month's file replaces the
    -- previous one at ingest, so normally there is one)
    select * from {{ ref('stg_hr__workers') }}
    where month_start is not null
    qualify load_id = max(load_id) over (partition by la_code, month_start)

),

workers as (

    select * from latest_files
    where worker_id is not null
    qualify row_number() over (
            partition by la_code, month_start, worker_id
            order by source_row desc
        ) = 1

),

teams as (

    select * from {{ ref('int_team_names_mapped') }}

),

final as (

    select
        workers.la_code,
        workers.month_start,
        workers.month_end,
        workers.worker_id,
        workers.team_name,
        workers.team_key,
        teams.team_id,
        teams.service_id,
        workers.role,
        workers.is_social_worker,
        workers.employment_type,
        workers.is_employee,
        workers.is_agency,
        coalesce(workers.fte, 0) as fte,
        coalesce(workers.cases_held, 0) as cases_held,
        coalesce(workers.cases_held, 0) > 0 as is_case_holder,
        coalesce(workers.sickness_days, 0) as sickness_days,
        workers.start_date,
        workers.leave_date,
        coalesce(workers.start_date between workers.month_start and workers.month_end, false) as started_in_month,
        coalesce(workers.leave_date between workers.month_start and workers.month_end, false) as left_in_month,
        (workers.start_date is null or workers.start_date <= workers.month_end)
        and (workers.leave_date is null or workers.leave_date > workers.month_end) as is_in_post_at_month_end,
        workers.leave_reason

    from workers
    left join teams
        on workers.la_code = teams.la_code
            and workers.team_key = teams.team_key

)

select * from final
