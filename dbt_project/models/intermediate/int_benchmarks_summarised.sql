-- Published DfE comparators for the indicators that have a series, one row per indicator, published year
-- (time_period) and LA in the file: the LA's own value, its region and the region's value, England, and the mean
-- of its statistical neighbours' published values (suppressed ones ignored). reference_date is the day the
-- published figures are as at: 31 March of time_period (the year ending 31 March) for the children's series,
-- 30 September of time_period for the social work workforce census (CSWW); indicator_values chooses the
-- publication to show by it.
-- The child protection rate per 10,000 is not in the files: it is computed for every LA, region and England as
-- plans open on 31 March (table D5, CPP_At31) per 10,000 children aged 0 to 17 in the ONS mid-year estimate of
-- the year before (as DfE's published rates use), null where either is suppressed.
-- Starters and leavers have no comparator: DfE publishes them as totals for a year to 30 September, which
-- compare with neither one council's month nor its teams.
-- Sickness days per FTE is not published either: CSWW working days lost (a total) / social workers in post (FTE),
-- to one decimal place, null where either is suppressed.
{%- set csww_series = {
    'wf_vacancy_rate_pct': 'vacancy_rate_fte',
    'wf_agency_rate_pct': 'agency_rate_fte',
    'wf_turnover_rate_pct': 'turnover_rate_fte',
    'wf_caseload_per_case_holder': 'caseload_fte',
} %}

with

rates as (

    select * from {{ ref('stg_dfe__cla_number_and_rate') }}

),

stability as (

    select * from {{ ref('stg_dfe__placement_stability') }}

),

cin_referrals as (

    select * from {{ ref('stg_dfe__cin_referrals') }}

),

cp_subsequent as (

    select * from {{ ref('stg_dfe__cp_subsequent_plans') }}

),

cp_duration as (

    select * from {{ ref('stg_dfe__cp_plans_by_duration') }}

),

population as (

    select * from {{ ref('stg_dfe__population') }}

),

csww as (

    select * from {{ ref('stg_dfe__csww_indicators') }}

),

neighbours as (

    select * from {{ ref('int_statistical_neighbours_unpivoted') }}

),

published_as_at_31_march as (

    select
        'cla_rate_per_10k' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        rate_per_10000 as published_value

    from rates
    where population_type = 'Children looked after on 31 March each year'

    union all

    select
        'cla_3plus_placements_pct' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        children_percent as published_value

    from stability
    where cla_group = 'CLA on 31 March'
        and placement_stability = 'With 3 or more placements during the year'

    union all

    select
        'cla_long_term_stability_pct' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        children_percent as published_value

    from stability
    where cla_group = 'Children looked after continuously for at least 2.5 years on 31 March aged under 16 years'
        and placement_stability = 'Living with the same carer for at least 2 years'

    union all

    select
        'cin_rereferrals_12m_pct' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        rereferral_percent as published_value

    from cin_referrals

    union all

    select
        'cin_referrals_nfa_pct' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        no_further_action_percent as published_value

    from cin_referrals

    union all

    select
        'cp_plans_second_or_subsequent_pct' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        cpp_subsequent_percent as published_value

    from cp_subsequent

    union all

    select
        'cp_plans_2yrs_plus_pct' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        two_years_or_more_percent as published_value

    from cp_duration

    union all

    select
        'cp_rate_per_10k' as indicator_id,
        cp_duration.time_period,
        cp_duration.geographic_level,
        cp_duration.region_name,
        cp_duration.la_code,
        case
            when population.population_estimate > 0
                then round(10000.0 * cp_duration.cpp_at_31_march / population.population_estimate, 1)
        end as published_value

    from cp_duration
    left join population
        on cp_duration.time_period - 1 = population.time_period
            and cp_duration.geographic_level = population.geographic_level
            and coalesce(cp_duration.region_name, '') = coalesce(population.region_name, '')
            and coalesce(cp_duration.la_code, '') = coalesce(population.la_code, '')

),

published_as_at_30_september as (

    {%- for indicator_id, column_name in csww_series.items() %}
    select
        '{{ indicator_id }}' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        {{ column_name }} as published_value

    from csww

    union all
    {%- endfor %}

    select
        'wf_days_lost_per_fte' as indicator_id,
        time_period,
        geographic_level,
        region_name,
        la_code,
        case when inpost_fte > 0 then round(working_days_lost_fte / inpost_fte, 1) end as published_value

    from csww

),

published as (

    select
        *,
        make_date(time_period, 3, 31) as reference_date
    from published_as_at_31_march

    union all

    select
        *,
        make_date(time_period, 9, 30) as reference_date
    from published_as_at_30_september

),

england as (

    select
        indicator_id,
        time_period,
        published_value as england_value

    from published
    where geographic_level = 'national'

),

regions as (

    select
        indicator_id,
        time_period,
        region_name,
        published_value as region_value

    from published
    where geographic_level = 'regional'

),

local_authorities as (

    select
        indicator_id,
        time_period,
        reference_date,
        la_code,
        region_name,
        published_value as la_value

    from published
    where geographic_level = 'la'
        and la_code is not null

),

neighbour_means as (

    select
        local_authorities.indicator_id,
        local_authorities.time_period,
        neighbours.la_code,
        avg(local_authorities.la_value) as sn_value,
        count(local_authorities.la_value) as sn_count

    from neighbours
    inner join local_authorities
        on neighbours.sn_la_code = local_authorities.la_code
    group by local_authorities.indicator_id, local_authorities.time_period, neighbours.la_code

),

final as (

    select
        local_authorities.indicator_id,
        local_authorities.time_period as benchmark_year,
        local_authorities.reference_date,
        local_authorities.la_code,
        local_authorities.region_name,
        local_authorities.la_value,
        england.england_value,
        regions.region_value,
        neighbour_means.sn_value,
        cast(coalesce(neighbour_means.sn_count, 0) as integer) as sn_count

    from local_authorities
    left join england
        on local_authorities.indicator_id = england.indicator_id
            and local_authorities.time_period = england.time_period
    left join regions
        on local_authorities.indicator_id = regions.indicator_id
            and local_authorities.time_period = regions.time_period
            and local_authorities.region_name = regions.region_name
    left join neighbour_means
        on local_authorities.indicator_id = neighbour_means.indicator_id
            and local_authorities.time_period = neighbour_means.time_period
            and local_authorities.la_code = neighbour_means.la_code

)

select * from final
