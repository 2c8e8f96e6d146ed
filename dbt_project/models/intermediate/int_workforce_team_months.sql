-- Social worker FTE per authority, service and team and HR month (org_level 'la' with org_id la_code, 'service'
-- with service_id, 'team' with team_id): what every workforce indicator is computed from. Social workers only
-- (role not UNQ); workers and vacancies without a team count for the authority only.
--   employee_fte, agency_fte        FTE of employees (permanent, fixed term) / agency workers in post at the
--                                   month's end (int_workforce_worker_months.is_in_post_at_month_end)
--   employee_headcount, agency_headcount   the same, as people
--   vacancy_fte                     vacant funded posts (hr_vacancies; agency cover does not fill a vacancy)
--   case_holder_fte, cases_held     FTE and cases of social workers in post at the month's end holding one or
--                                   more cases, employees and agency workers alike
--   sickness_days                   working days employees lost to sickness in the month (leavers included)
--   starters_fte, leavers_fte       FTE of employees whose start / leave date is in the month (a leaver's FTE in
--                                   the month they left)
-- FTE sums are rounded to 6 decimal places (so 0.1 + 0.2 is 0.3). One row per org unit with a worker or a
-- vacancy in the month.
{%- set org_levels = [('la', 'la_code'), ('service', 'service_id'), ('team', 'team_id')] %}

with

worker_months as (

    select * from {{ ref('int_workforce_worker_months') }}
    where is_social_worker

),

vacancies as (

    select
        vacancies.la_code,
        vacancies.month_start,
        teams.team_id,
        teams.service_id,
        vacancies.vacancy_fte

    from {{ ref('stg_hr__vacancies') }} as vacancies
    left join {{ ref('int_team_names_mapped') }} as teams
        on vacancies.la_code = teams.la_code
            and vacancies.team_key = teams.team_key
    where vacancies.month_start is not null
    -- should two vacancies files of the same month be loaded, the later one's rows
    qualify vacancies.load_id = max(vacancies.load_id) over (
            partition by vacancies.la_code, vacancies.month_start
        )

),

facts as (

    select
        la_code,
        month_start,
        team_id,
        service_id,
        worker_id,
        case when is_employee and is_in_post_at_month_end then fte else 0 end as employee_fte,
        case when is_agency and is_in_post_at_month_end then fte else 0 end as agency_fte,
        case when is_employee and is_in_post_at_month_end then worker_id end as employee_in_post,
        case when is_agency and is_in_post_at_month_end then worker_id end as agency_in_post,
        cast(0 as double) as vacancy_fte,
        case when is_case_holder and is_in_post_at_month_end then fte else 0 end as case_holder_fte,
        case when is_case_holder and is_in_post_at_month_end then cases_held else 0 end as cases_held,
        case when is_employee then sickness_days else 0 end as sickness_days,
        case when is_employee and started_in_month then fte else 0 end as starters_fte,
        case when is_employee and left_in_month then fte else 0 end as leavers_fte

    from worker_months

    union all

    select
        la_code,
        month_start,
        team_id,
        service_id,
        cast(null as varchar) as worker_id,
        cast(0 as double) as employee_fte,
        cast(0 as double) as agency_fte,
        cast(null as varchar) as employee_in_post,
        cast(null as varchar) as agency_in_post,
        coalesce(vacancy_fte, 0) as vacancy_fte,
        cast(0 as double) as case_holder_fte,
        0 as cases_held,
        cast(0 as double) as sickness_days,
        cast(0 as double) as starters_fte,
        cast(0 as double) as leavers_fte

    from vacancies

),

by_org as (

    {%- for org_level, org_column in org_levels %}
        select
            la_code,
            month_start,
            '{{ org_level }}' as org_level,
            {{ org_column }} as org_id,
            round(sum(employee_fte), 6) as employee_fte,
            round(sum(agency_fte), 6) as agency_fte,
            round(sum(vacancy_fte), 6) as vacancy_fte,
            round(sum(case_holder_fte), 6) as case_holder_fte,
            cast(sum(cases_held) as integer) as cases_held,
            round(sum(sickness_days), 6) as sickness_days,
            round(sum(starters_fte), 6) as starters_fte,
            round(sum(leavers_fte), 6) as leavers_fte,
            cast(count(distinct employee_in_post) as integer) as employee_headcount,
            cast(count(distinct agency_in_post) as integer) as agency_headcount

        from facts
        where {{ org_column }} is not null
        group by la_code, month_start, {{ org_column }}
        {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        la_code,
        month_start,
        cast(last_day(month_start) as date) as month_end,
        org_level,
        org_id,
        cast(employee_fte as double) as employee_fte,
        cast(agency_fte as double) as agency_fte,
        cast(vacancy_fte as double) as vacancy_fte,
        cast(case_holder_fte as double) as case_holder_fte,
        cases_held,
        cast(sickness_days as double) as sickness_days,
        cast(starters_fte as double) as starters_fte,
        cast(leavers_fte as double) as leavers_fte,
        employee_headcount,
        agency_headcount

    from by_org

)

select * from final
