-- Numerator, denominator and value of every workforce indicator in the catalogue (domain workforce), per
-- authority, org unit (org_level 'la' with org_id la_code, 'service' and 'team' from int_org_units_built), grain
-- (month, quarter, year) and covered period, from the social worker FTE per org unit and month
-- (int_workforce_team_months). Employees are permanent and fixed-term staff; "in post" is at a month's end.
-- Coverage (int_workforce_coverage, months with a loaded HR workers file), per indicator (coverage_rules):
--   last_month        the period's last month covered (stock measures: FTE in post, agency rate, caseload)
--   last_month_vacancies   the same, with that month's vacancies file too (vacancy rate)
--   whole_period      every month of the period covered (starters, leavers)
--   rolling_12        the twelve months to the period's end covered (turnover, sickness days per FTE)
-- Measures (the period's last month is the month holding period_end):
--   wf_sw_fte_in_post             employee FTE in post at the last month's end (value = numerator)
--   wf_vacancy_rate_pct           vacancy FTE / (vacancy FTE + employee FTE), last month
--   wf_agency_rate_pct            agency FTE / (agency FTE + employee FTE), last month
--   wf_turnover_rate_pct          employee leavers' FTE in the twelve months to the period end / employee FTE
--                                 in post at its end (may exceed 100 for a small team)
--   wf_starters_fte, wf_leavers_fte   employee FTE starting / leaving in the period (value = numerator)
--   wf_days_lost_per_fte          employee sickness days in the twelve months to the period end / employee FTE
--                                 in post at its end
--   wf_caseload_per_case_holder   cases held / FTE of social workers holding cases (agency included), last month
-- A covered period with nothing to count gives zero (rates and ratios: 0 of 0, value null).
{%- set coverage_rules = {
    'wf_sw_fte_in_post': 'last_month',
    'wf_vacancy_rate_pct': 'last_month_vacancies',
    'wf_agency_rate_pct': 'last_month',
    'wf_turnover_rate_pct': 'rolling_12',
    'wf_starters_fte': 'whole_period',
    'wf_leavers_fte': 'whole_period',
    'wf_days_lost_per_fte': 'rolling_12',
    'wf_caseload_per_case_holder': 'last_month',
} %}

with

periods as (

    select
        *,
        cast(date_trunc('month', period_end) as date) as last_month_start,
        cast(date_trunc('month', period_end) - interval 11 month as date) as rolling_12_start,
        cast(datediff('month', period_start, period_end) + 1 as integer) as months_in_period

    from {{ ref('periods') }}

),

coverage as (

    select * from {{ ref('int_workforce_coverage') }}

),

catalogue as (

    select
        indicator_id,
        unit,
        case indicator_id
            {%- for indicator_id, rule in coverage_rules.items() %}
                when '{{ indicator_id }}' then '{{ rule }}'
            {%- endfor %}
            else 'last_month'
        end as coverage_rule

    from {{ ref('indicator_catalogue') }}
    where domain = 'workforce'

),

org_units as (

    select
        la_code,
        org_level,
        org_id

    from {{ ref('int_org_units_built') }}
    where org_level in ('service', 'team')

),

team_months as (

    select * from {{ ref('int_workforce_team_months') }}

),

covered_periods as (

    -- every month covered in the twelve months to the period's end (a period is at most twelve months long)
    select
        coverage.la_code,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        periods.financial_year,
        periods.last_month_start,
        periods.rolling_12_start,
        periods.months_in_period,
        count(*) as months_covered_12,
        count(case when coverage.month_start >= periods.period_start then 1 end) as months_covered_in_period,
        bool_or(coverage.month_start = periods.last_month_start) as is_last_month_covered,
        bool_or(coverage.month_start = periods.last_month_start and coverage.has_vacancies)
            as is_last_month_vacancies_covered

    from periods
    inner join coverage
        on coverage.month_start between periods.rolling_12_start and periods.period_end
    group by all

),

authority_scaffold as (

    select
        covered_periods.*,
        catalogue.indicator_id,
        catalogue.unit

    from covered_periods
    inner join catalogue
        on case catalogue.coverage_rule
            when 'last_month' then covered_periods.is_last_month_covered
            when 'last_month_vacancies' then covered_periods.is_last_month_vacancies_covered
            when 'whole_period' then covered_periods.months_covered_in_period = covered_periods.months_in_period
            when 'rolling_12' then covered_periods.months_covered_12 = 12
        end

),

scaffold as (

    select
        authority_scaffold.*,
        'la' as org_level,
        authority_scaffold.la_code as org_id

    from authority_scaffold

    union all

    select
        authority_scaffold.*,
        org_units.org_level,
        org_units.org_id

    from authority_scaffold
    inner join org_units
        on authority_scaffold.la_code = org_units.la_code

),

period_orgs as (

    select distinct
        la_code,
        org_level,
        org_id,
        period_grain,
        period_start,
        period_end,
        last_month_start,
        rolling_12_start

    from scaffold

),

period_totals as (

    select
        period_orgs.la_code,
        period_orgs.org_level,
        period_orgs.org_id,
        period_orgs.period_grain,
        period_orgs.period_start,
        sum(case when team_months.month_start = period_orgs.last_month_start then team_months.employee_fte end)
            as employee_fte_at_end,
        sum(case when team_months.month_start = period_orgs.last_month_start then team_months.agency_fte end)
            as agency_fte_at_end,
        sum(case when team_months.month_start = period_orgs.last_month_start then team_months.vacancy_fte end)
            as vacancy_fte_at_end,
        sum(case when team_months.month_start = period_orgs.last_month_start then team_months.case_holder_fte end)
            as case_holder_fte_at_end,
        sum(case when team_months.month_start = period_orgs.last_month_start then team_months.cases_held end)
            as cases_held_at_end,
        sum(case when team_months.month_start >= period_orgs.period_start then team_months.starters_fte end)
            as starters_fte_in_period,
        sum(case when team_months.month_start >= period_orgs.period_start then team_months.leavers_fte end)
            as leavers_fte_in_period,
        sum(team_months.leavers_fte) as leavers_fte_12_months,
        sum(team_months.sickness_days) as sickness_days_12_months

    from period_orgs
    inner join team_months
        on period_orgs.la_code = team_months.la_code
            and period_orgs.org_level = team_months.org_level
            and period_orgs.org_id = team_months.org_id
            and team_months.month_start between period_orgs.rolling_12_start and period_orgs.period_end
    group by all

),

combined as (

    select
        scaffold.la_code,
        scaffold.org_level,
        scaffold.org_id,
        scaffold.indicator_id,
        scaffold.period_grain,
        scaffold.period_start,
        scaffold.period_end,
        scaffold.period_label,
        scaffold.financial_year,
        scaffold.unit,
        round(coalesce(
            case scaffold.indicator_id
                when 'wf_sw_fte_in_post' then period_totals.employee_fte_at_end
                when 'wf_vacancy_rate_pct' then period_totals.vacancy_fte_at_end
                when 'wf_agency_rate_pct' then period_totals.agency_fte_at_end
                when 'wf_turnover_rate_pct' then period_totals.leavers_fte_12_months
                when 'wf_starters_fte' then period_totals.starters_fte_in_period
                when 'wf_leavers_fte' then period_totals.leavers_fte_in_period
                when 'wf_days_lost_per_fte' then period_totals.sickness_days_12_months
                when 'wf_caseload_per_case_holder' then period_totals.cases_held_at_end
            end,
            0
        ), 6) as numerator,
        round(coalesce(
            case scaffold.indicator_id
                when 'wf_vacancy_rate_pct'
                    then coalesce(period_totals.vacancy_fte_at_end, 0) + coalesce(period_totals.employee_fte_at_end, 0)
                when 'wf_agency_rate_pct'
                    then coalesce(period_totals.agency_fte_at_end, 0) + coalesce(period_totals.employee_fte_at_end, 0)
                when 'wf_turnover_rate_pct' then period_totals.employee_fte_at_end
                when 'wf_days_lost_per_fte' then period_totals.employee_fte_at_end
                when 'wf_caseload_per_case_holder' then period_totals.case_holder_fte_at_end
            end,
            0
        ), 6) as denominator

    from scaffold
    left join period_totals
        on scaffold.la_code = period_totals.la_code
            and scaffold.org_level = period_totals.org_level
            and scaffold.org_id = period_totals.org_id
            and scaffold.period_grain = period_totals.period_grain
            and scaffold.period_start = period_totals.period_start

),

final as (

    select
        la_code,
        org_level,
        org_id,
        indicator_id,
        period_grain,
        period_start,
        period_end,
        period_label,
        financial_year,
        cast(numerator as double) as numerator,
        case when unit in ('count', 'fte') then null else cast(denominator as double) end as denominator,
        case unit
            when 'count' then cast(numerator as double)
            when 'fte' then cast(numerator as double)
            when 'percent' then case when denominator > 0 then 100.0 * numerator / denominator end
            when 'ratio' then case when denominator > 0 then 1.0 * numerator / denominator end
        end as value

    from combined

)

select * from final
