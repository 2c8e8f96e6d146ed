-- One row per worker and month of the monthly HR extract (pseudonymous staff, no children): team and service (the
-- team name mapped as Annex A's; 'unmapped:<team name>' under 'unmapped' if not configured; null if blank), role,
-- social worker (role not UNQ) and agency flags, FTE, cases held at the month's end and case-holder flag, sickness
-- days in the month, whether the worker started or left in the month, and the leaving reason.
with

worker_months as (

    select * from {{ ref('int_workforce_worker_months') }}

),

final as (

    select
        la_code,
        month_start,
        month_end,
        worker_id,
        team_id,
        service_id,
        role,
        cast(is_social_worker as boolean) as is_social_worker,
        cast(is_agency as boolean) as is_agency,
        cast(fte as double) as fte,
        cast(cases_held as integer) as cases_held,
        cast(is_case_holder as boolean) as is_case_holder,
        cast(sickness_days as double) as sickness_days,
        cast(started_in_month as boolean) as started_in_month,
        cast(left_in_month as boolean) as left_in_month,
        leave_reason

    from worker_months

)

select * from final
