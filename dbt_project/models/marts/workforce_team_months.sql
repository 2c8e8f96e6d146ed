-- Social worker FTE per authority, service and team and HR month (int_workforce_team_months): what the workforce
-- indicators are computed from. Social workers only (role not UNQ); employees are permanent and fixed-term staff.
with

team_months as (

    select * from {{ ref('int_workforce_team_months') }}

),

final as (

    select
        la_code,
        month_start,
        month_end,
        org_level,
        org_id,
        employee_fte,
        agency_fte,
        vacancy_fte,
        case_holder_fte,
        cases_held,
        sickness_days,
        starters_fte,
        leavers_fte,
        employee_headcount,
        agency_headcount

    from team_months

)

select * from final
