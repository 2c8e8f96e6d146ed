-- Numerator, denominator and value of every children-in-need and child-protection indicator in the catalogue
-- (domains children_in_need, child_protection), per authority, org unit (org_level 'la' with org_id la_code,
-- 'service' and 'team' from int_org_units_built), grain (month, quarter, year) and covered period.
-- Coverage (int_cin_coverage): flows need the whole period covered, stock measures its last day; the scope is
-- 'cin' (Annex A and CIN census) except as listed in coverage_scopes; re-referrals also need the twelve months
-- before the period covered (a previous referral there would be invisible otherwise).
-- Counting: flows count events dated in the period; stock measures count what is open on the period's last day
-- (started on or before it, not ended on or before it). Events without a team (census-only) count for the
-- authority only. A covered period with nothing to count gives zero (percentages: 0 of 0, value null).
-- Every measure is built from "facts": flow facts (an event date; in the numerator and/or denominator) and stock
-- facts (open from open_from until open_until, exclusive; in the numerator from numerator_from). count_key is
-- what is counted once: the event, or the child for cin_open_at_period_end.
{%- set coverage_scopes = {'cin_contacts': 'annex_a', 'cp_visits_within_standard_pct': 'annex_a_as_at'} -%}
{%- set lookback_months = {'cin_rereferrals_12m_pct': 12} -%}
{#- for the authority only: rates per 10,000 children, and contacts (Annex A List 1 has no team) -#}
{%- set authority_only = ['cp_rate_per_10k', 'cin_contacts'] %}

with

periods as (

    select * from {{ ref('periods') }}

),

coverage as (

    select * from {{ ref('int_cin_coverage') }}

),

catalogue as (

    select
        indicator_id,
        unit,
        is_stock,
        case indicator_id
            {%- for indicator_id, scope in coverage_scopes.items() %}
                when '{{ indicator_id }}' then '{{ scope }}'
            {%- endfor %}
            else 'cin'
        end as coverage_scope

    from {{ ref('indicator_catalogue') }}
    where domain in ('children_in_need', 'child_protection')

),

org_units as (

    select
        la_code,
        org_level,
        org_id

    from {{ ref('int_org_units_built') }}
    where org_level in ('service', 'team')

),

population as (

    -- children aged 0 to 17, as for cla_rate_per_10k
    select * from {{ ref('stg_reference__population') }}
    where regexp_matches(lower(age_group), '(^|[^0-9])0\s*(-|to)\s*17([^0-9]|$)')

),

contacts as (

    select * from {{ ref('int_contacts_deduplicated') }}

),

referrals as (

    select * from {{ ref('int_referrals_deduplicated') }}

),

assessments as (

    select * from {{ ref('int_assessments_deduplicated') }}

),

section47 as (

    select * from {{ ref('int_section47_deduplicated') }}

),

cp_plans as (

    select * from {{ ref('int_cp_plans_deduplicated') }}

),

cp_visits as (

    select * from {{ ref('int_cp_plan_visits_snapshotted') }}

),

cin_episodes as (

    select * from {{ ref('int_cin_episodes_deduplicated') }}

),

covered_periods as (

    select
        coverage.la_code,
        coverage.coverage_scope,
        coverage.coverage_start,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        periods.financial_year,
        periods.period_start >= coverage.coverage_start as is_fully_covered

    from periods
    inner join coverage
        on periods.period_end between coverage.coverage_start and coverage.coverage_end

),

authority_scaffold as (

    select
        covered_periods.*,
        catalogue.indicator_id,
        catalogue.unit,
        catalogue.is_stock

    from covered_periods
    inner join catalogue
        on covered_periods.coverage_scope = catalogue.coverage_scope
    where
        case
            {%- for indicator_id, months in lookback_months.items() %}
                when catalogue.indicator_id = '{{ indicator_id }}'
                    then (
                        covered_periods.is_fully_covered
                        and covered_periods.coverage_start
                        <= cast(covered_periods.period_start - interval {{ months }} month as date)
                    )
            {%- endfor %}
            when not catalogue.is_stock then covered_periods.is_fully_covered
            else true
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
    where authority_scaffold.indicator_id not in ({{ "'" ~ authority_only | join("', '") ~ "'" }})

),

flow_facts as (

    select
        'cin_contacts' as indicator_id,
        la_code,
        cast(null as varchar) as team_id,
        cast(null as varchar) as service_id,
        contact_id as count_key,
        contact_date as event_date,
        true as is_numerator,
        true as is_denominator
    from contacts

    union all

    select
        'cin_referrals' as indicator_id,
        la_code,
        team_id,
        service_id,
        referral_id as count_key,
        referral_date as event_date,
        true as is_numerator,
        true as is_denominator
    from referrals

    union all

    select
        'cin_rereferrals_12m_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        referral_id as count_key,
        referral_date as event_date,
        is_rereferral_12m as is_numerator,
        true as is_denominator
    from referrals

    union all

    select
        'cin_referrals_nfa_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        referral_id as count_key,
        referral_date as event_date,
        coalesce(is_nfa, false) as is_numerator,
        true as is_denominator
    from referrals

    union all

    select
        'cin_assessments_completed' as indicator_id,
        la_code,
        team_id,
        service_id,
        assessment_id as count_key,
        assessment_authorised_date as event_date,
        true as is_numerator,
        true as is_denominator
    from assessments
    where assessment_authorised_date is not null

    union all

    -- assessments whose referral is not in the loaded data cannot be timed: left out of both
    select
        'cin_assessments_within_45wd_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        assessment_id as count_key,
        assessment_authorised_date as event_date,
        is_authorised_within_45wd as is_numerator,
        true as is_denominator
    from assessments
    where assessment_authorised_date is not null
        and working_days_to_authorisation is not null

    union all

    select
        'cin_s47_started' as indicator_id,
        la_code,
        team_id,
        service_id,
        s47_id as count_key,
        s47_start_date as event_date,
        true as is_numerator,
        true as is_denominator
    from section47

    union all

    select
        'cin_icpc_within_15wd_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        s47_id as count_key,
        icpc_date as event_date,
        is_icpc_within_15wd as is_numerator,
        true as is_denominator
    from section47
    where icpc_date is not null
        and working_days_to_icpc is not null

    union all

    select
        'cp_plans_started' as indicator_id,
        la_code,
        team_id,
        service_id,
        cp_plan_id as count_key,
        cp_plan_start_date as event_date,
        true as is_numerator,
        true as is_denominator
    from cp_plans

    union all

    select
        'cp_plans_second_or_subsequent_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        cp_plan_id as count_key,
        cp_plan_start_date as event_date,
        is_second_or_subsequent as is_numerator,
        true as is_denominator
    from cp_plans

),

stock_facts as (

    select
        'cp_plans_at_period_end' as indicator_id,
        la_code,
        team_id,
        service_id,
        cp_plan_id as count_key,
        cp_plan_start_date as open_from,
        cp_plan_end_date as open_until,
        cp_plan_start_date as numerator_from
    from cp_plans

    union all

    select
        'cp_rate_per_10k' as indicator_id,
        la_code,
        cast(null as varchar) as team_id,
        cast(null as varchar) as service_id,
        cp_plan_id as count_key,
        cp_plan_start_date as open_from,
        cp_plan_end_date as open_until,
        cp_plan_start_date as numerator_from
    from cp_plans

    union all

    -- open two years or more on day d: started on or before the same date two years earlier
    select
        'cp_plans_2yrs_plus_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        cp_plan_id as count_key,
        cp_plan_start_date as open_from,
        cp_plan_end_date as open_until,
        cast(cp_plan_start_date + interval 2 year as date) as numerator_from
    from cp_plans

    union all

    -- known only on a snapshot's as-at date: "open" for that one day
    select
        'cp_visits_within_standard_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        coalesce(cp_plan_id, concat_ws(':', la_code, child_id, strftime(cp_plan_start_date, '%Y-%m-%d'))) as count_key,
        as_at_date as open_from,
        cast(as_at_date + 1 as date) as open_until,
        case when is_visit_within_standard then as_at_date end as numerator_from
    from cp_visits

    union all

    -- children, not episodes: a child with two open episodes counts once
    select
        'cin_open_at_period_end' as indicator_id,
        la_code,
        team_id,
        service_id,
        child_id as count_key,
        cin_start_date as open_from,
        cin_closure_date as open_until,
        cin_start_date as numerator_from
    from cin_episodes

    union all

    -- started, not authorised, and more than 45 working days from the referral
    select
        'cin_assessments_open_over_45wd' as indicator_id,
        la_code,
        team_id,
        service_id,
        assessment_id as count_key,
        greatest(assessment_start_date, over_45wd_from_date) as open_from,
        assessment_authorised_date as open_until,
        greatest(assessment_start_date, over_45wd_from_date) as numerator_from
    from assessments
    where over_45wd_from_date is not null

),

{{ count_measure_facts() }}

population_for_period as (

    -- for a period ending in the year to 31 March Y: the mid-year estimate of Y - 1, else the latest earlier
    select
        authority_scaffold.la_code,
        authority_scaffold.period_grain,
        authority_scaffold.period_start,
        arg_max(population.population, population.estimate_year) as population

    from authority_scaffold
    inner join population
        on authority_scaffold.la_code = population.la_code
            and population.estimate_year
            <= cast(left(authority_scaffold.financial_year, 4) as integer)
    where authority_scaffold.unit = 'rate_per_10k'
    group by authority_scaffold.la_code, authority_scaffold.period_grain, authority_scaffold.period_start

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
        coalesce(stock_measures.numerator, flow_measures.numerator, 0) as numerator,
        case scaffold.unit
            when 'count' then null
            when 'rate_per_10k' then cast(population_for_period.population as double)
            else coalesce(stock_measures.denominator, flow_measures.denominator, 0)
        end as denominator

    from scaffold
    left join stock_measures
        on scaffold.is_stock
            and scaffold.la_code = stock_measures.la_code
            and scaffold.org_level = stock_measures.org_level
            and scaffold.org_id = stock_measures.org_id
            and scaffold.indicator_id = stock_measures.indicator_id
            and scaffold.period_end = stock_measures.as_at_date
    left join flow_measures
        on not scaffold.is_stock
            and scaffold.la_code = flow_measures.la_code
            and scaffold.org_level = flow_measures.org_level
            and scaffold.org_id = flow_measures.org_id
            and scaffold.indicator_id = flow_measures.indicator_id
            and scaffold.period_grain = flow_measures.period_grain
            and scaffold.period_start = flow_measures.period_start
    left join population_for_period
        on scaffold.la_code = population_for_period.la_code
            and scaffold.period_grain = population_for_period.period_grain
            and scaffold.period_start = population_for_period.period_start

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
        cast(denominator as double) as denominator,
        case unit
            when 'count' then cast(numerator as double)
            when 'percent' then case when denominator > 0 then 100.0 * numerator / denominator end
            when 'rate_per_10k' then case when denominator > 0 then 10000.0 * numerator / denominator end
        end as value

    from combined

)

select * from final
