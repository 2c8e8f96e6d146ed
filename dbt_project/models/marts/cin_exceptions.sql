-- Child-level exception lists for managers: at each month end covered by children-in-need data, the
-- assessments open beyond 45 working days from referral, the child protection plans open two years or more,
-- and (on Annex A snapshot dates) plans whose last statutory visit is outside the local standard.
-- One row per exception: child_id only (no names), the team it sits with, the date the clock started and how
-- long it has run. The app shows it only to users allowed child-level detail, for their own teams.
with

month_ends as (

    select distinct
        coverage.la_code,
        periods.period_end as as_at_date
    from {{ ref('periods') }} as periods
    inner join {{ ref('int_cin_coverage') }} as coverage
        on periods.period_end between coverage.coverage_start and coverage.coverage_end
    where periods.period_grain = 'month' and coverage.coverage_scope = 'cin'

),

dates as (

    select date_day, working_day_index from {{ ref('dim_date') }}

),

assessments_over_45wd as (

    select
        month_ends.la_code,
        'assessment_over_45wd' as exception_type,
        month_ends.as_at_date,
        assessments.team_id,
        assessments.service_id,
        assessments.child_id,
        assessments.referral_date as start_date,
        as_at_day.working_day_index - referral_day.working_day_index as working_days,
        datediff('day', assessments.referral_date, month_ends.as_at_date) as days
    from month_ends
    inner join {{ ref('int_assessments_deduplicated') }} as assessments
        on month_ends.la_code = assessments.la_code
            and assessments.assessment_start_date <= month_ends.as_at_date
            and assessments.over_45wd_from_date <= month_ends.as_at_date
            and (
                assessments.assessment_authorised_date is null
                or assessments.assessment_authorised_date > month_ends.as_at_date
            )
    inner join dates as as_at_day on month_ends.as_at_date = as_at_day.date_day
    inner join dates as referral_day on assessments.referral_date = referral_day.date_day

),

plans_over_two_years as (

    select
        month_ends.la_code,
        'cp_plan_over_2_years' as exception_type,
        month_ends.as_at_date,
        plans.team_id,
        plans.service_id,
        plans.child_id,
        plans.cp_plan_start_date as start_date,
        as_at_day.working_day_index - start_day.working_day_index as working_days,
        datediff('day', plans.cp_plan_start_date, month_ends.as_at_date) as days
    from month_ends
    inner join {{ ref('int_cp_plans_deduplicated') }} as plans
        on month_ends.la_code = plans.la_code
            and plans.cp_plan_start_date <= month_ends.as_at_date - interval 2 year
            and (plans.cp_plan_end_date is null or plans.cp_plan_end_date > month_ends.as_at_date)
    inner join dates as as_at_day on month_ends.as_at_date = as_at_day.date_day
    inner join dates as start_day on plans.cp_plan_start_date = start_day.date_day

),

visits_overdue as (

    select
        la_code,
        'cp_visit_overdue' as exception_type,
        as_at_date,
        team_id,
        service_id,
        child_id,
        last_visit_date as start_date,
        working_days_since_visit as working_days,
        datediff('day', last_visit_date, as_at_date) as days
    from {{ ref('int_cp_plan_visits_snapshotted') }}
    where not coalesce(is_visit_within_standard, false)

)

select * from assessments_over_45wd
union all
select * from plans_over_two_years
union all
select * from visits_overdue
