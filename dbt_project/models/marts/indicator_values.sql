-- One row per indicator x grain x period x org unit: the children-looked-after indicators for the authority
-- (org_level 'la', org_id la_code) and the children-in-need, child-protection, workforce, complaints and case-file
-- audit indicators for the authority, its services and its teams (int_cin_measures_computed,
-- int_workforce_measures_computed, int_complaints_measures_computed, int_audit_measures_computed). Each row
-- carries:
-- - target and RAG: the target and amber threshold from seeds/indicator_targets.csv (a row for the org unit
--   wins over a row for every org unit, org_id blank), else the catalogue's; RAG from the catalogue's polarity;
-- - the previous period and the same period a year earlier (same org unit), and the direction of travel
--   against each: better / worse / same by polarity, or up / down / same for a neutral indicator;
-- - published comparators where a series exists, chosen by the day the published figures are as at
--   (int_benchmarks_summarised.reference_date: 31 March of DfE's time_period for the children's series, 30
--   September for the social work workforce census; 31 March if not given). A year row compares with the
--   publication as at a day inside its financial year (for the children's series the same year, time_period =
--   the year ending 31 March; for the workforce census, the census of the September inside the year); months and
--   quarters with the latest publication as at a day on or before the period's end. benchmark_year is the
--   publication's time_period. England, region and statistical-neighbour values are the authority's, shown on
--   every org unit's rows.
with

cla_measures as (

    select
        *,
        'la' as org_level,
        la_code as org_id

    from {{ ref('int_indicator_measures_computed') }}

),

cin_measures as (

    select * from {{ ref('int_cin_measures_computed') }}

),

workforce_measures as (

    select * from {{ ref('int_workforce_measures_computed') }}

),

complaints_measures as (

    select * from {{ ref('int_complaints_measures_computed') }}

),

audit_measures as (

    select * from {{ ref('int_audit_measures_computed') }}

),

measures as (

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
        numerator,
        denominator,
        value
    from cla_measures

    union all

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
        numerator,
        denominator,
        value
    from cin_measures

    union all

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
        numerator,
        denominator,
        value
    from workforce_measures

    union all

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
        numerator,
        denominator,
        value
    from complaints_measures

    union all

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
        numerator,
        denominator,
        value
    from audit_measures

),

catalogue as (

    select
        indicator_id,
        polarity,
        cast(target as double) as target,
        cast(amber_threshold as double) as amber_threshold

    from {{ ref('indicator_catalogue') }}

),

targets as (

    select
        indicator_id,
        nullif(trim(org_id), '') as org_id,
        cast(target as double) as target,
        cast(amber_threshold as double) as amber_threshold

    from {{ ref('indicator_targets') }}

),

benchmarks as (

    select * from {{ ref('int_benchmarks_summarised') }}

),

published_years as (

    select distinct
        indicator_id,
        benchmark_year,
        coalesce(reference_date, make_date(benchmark_year, 3, 31)) as reference_date,
        england_value

    from benchmarks

),

with_target as (

    select
        measures.*,
        catalogue.polarity,
        case
            when org_target.indicator_id is not null then org_target.target
            when general_target.indicator_id is not null then general_target.target
            else catalogue.target
        end as target,
        case
            when org_target.indicator_id is not null then org_target.amber_threshold
            when general_target.indicator_id is not null then general_target.amber_threshold
            else catalogue.amber_threshold
        end as amber_threshold

    from measures
    inner join catalogue
        on measures.indicator_id = catalogue.indicator_id
    left join targets as org_target
        on measures.indicator_id = org_target.indicator_id
            and measures.org_id = org_target.org_id
    left join targets as general_target
        on measures.indicator_id = general_target.indicator_id
            and general_target.org_id is null

),

with_rag as (

    select
        with_target.*,
        case
            when with_target.value is null or with_target.target is null then null
            when with_target.polarity = 'higher_is_better'
                then
                    case
                        when with_target.value >= with_target.target then 'green'
                        when with_target.value >= with_target.amber_threshold then 'amber'
                        else 'red'
                    end
            when with_target.polarity = 'lower_is_better' then
                case
                    when with_target.value <= with_target.target then 'green'
                    when with_target.value <= with_target.amber_threshold then 'amber'
                    else 'red'
                end
        end as rag

    from with_target

),

with_history as (

    select
        with_rag.*,
        previous_period.value as previous_value,
        year_ago.value as year_ago_value

    from with_rag
    left join measures as previous_period
        on with_rag.la_code = previous_period.la_code
            and with_rag.org_level = previous_period.org_level
            and with_rag.org_id = previous_period.org_id
            and with_rag.indicator_id = previous_period.indicator_id
            and with_rag.period_grain = previous_period.period_grain
            and previous_period.period_start = cast(
                case with_rag.period_grain
                    when 'month' then with_rag.period_start - interval 1 month
                    when 'quarter' then with_rag.period_start - interval 3 month
                    else with_rag.period_start - interval 1 year
                end as date
            )
    left join measures as year_ago
        on with_rag.la_code = year_ago.la_code
            and with_rag.org_level = year_ago.org_level
            and with_rag.org_id = year_ago.org_id
            and with_rag.indicator_id = year_ago.indicator_id
            and with_rag.period_grain = year_ago.period_grain
            and year_ago.period_start = cast(with_rag.period_start - interval 1 year as date)

),

with_direction as (

    -- compared to 6 decimal places, so the same percentage computed twice is 'same'
    select
        with_history.*,
        case
            when with_history.value is null or with_history.previous_value is null then null
            when round(with_history.value, 6) = round(with_history.previous_value, 6) then 'same'
            when with_history.polarity = 'higher_is_better'
                then case when with_history.value > with_history.previous_value then 'better' else 'worse' end
            when with_history.polarity = 'lower_is_better'
                then case when with_history.value < with_history.previous_value then 'better' else 'worse' end
            when with_history.value > with_history.previous_value then 'up'
            else 'down'
        end as direction_previous,
        case
            when with_history.value is null or with_history.year_ago_value is null then null
            when round(with_history.value, 6) = round(with_history.year_ago_value, 6) then 'same'
            when with_history.polarity = 'higher_is_better'
                then case when with_history.value > with_history.year_ago_value then 'better' else 'worse' end
            when with_history.polarity = 'lower_is_better'
                then case when with_history.value < with_history.year_ago_value then 'better' else 'worse' end
            when with_history.value > with_history.year_ago_value then 'up'
            else 'down'
        end as direction_year_ago

    from with_history

),

chosen_benchmark_year as (

    select
        with_direction.la_code,
        with_direction.org_level,
        with_direction.org_id,
        with_direction.indicator_id,
        with_direction.period_grain,
        with_direction.period_start,
        arg_max(published_years.benchmark_year, published_years.reference_date) as benchmark_year

    from with_direction
    inner join published_years
        on with_direction.indicator_id = published_years.indicator_id
            and published_years.reference_date <= with_direction.period_end
            and (
                with_direction.period_grain <> 'year'
                or published_years.reference_date >= with_direction.period_start
            )
    group by
        with_direction.la_code,
        with_direction.org_level,
        with_direction.org_id,
        with_direction.indicator_id,
        with_direction.period_grain,
        with_direction.period_start

),

final as (

    select
        with_direction.indicator_id,
        with_direction.period_grain,
        with_direction.period_start,
        with_direction.period_end,
        with_direction.period_label,
        with_direction.financial_year,
        with_direction.la_code,
        with_direction.org_level,
        with_direction.org_id,
        cast(with_direction.numerator as double) as numerator,
        cast(with_direction.denominator as double) as denominator,
        cast(with_direction.value as double) as value,
        with_direction.target,
        with_direction.rag,
        cast(with_direction.previous_value as double) as previous_value,
        cast(with_direction.year_ago_value as double) as year_ago_value,
        with_direction.direction_previous,
        with_direction.direction_year_ago,
        cast(chosen_benchmark_year.benchmark_year as integer) as benchmark_year,
        cast(published_years.england_value as double) as england_value,
        cast(la_benchmarks.region_value as double) as region_value,
        la_benchmarks.region_name,
        cast(la_benchmarks.sn_value as double) as sn_value,
        cast(la_benchmarks.sn_count as integer) as sn_count

    from with_direction
    left join chosen_benchmark_year
        on with_direction.la_code = chosen_benchmark_year.la_code
            and with_direction.org_level = chosen_benchmark_year.org_level
            and with_direction.org_id = chosen_benchmark_year.org_id
            and with_direction.indicator_id = chosen_benchmark_year.indicator_id
            and with_direction.period_grain = chosen_benchmark_year.period_grain
            and with_direction.period_start = chosen_benchmark_year.period_start
    left join published_years
        on chosen_benchmark_year.indicator_id = published_years.indicator_id
            and chosen_benchmark_year.benchmark_year = published_years.benchmark_year
    left join benchmarks as la_benchmarks
        on chosen_benchmark_year.indicator_id = la_benchmarks.indicator_id
            and chosen_benchmark_year.benchmark_year = la_benchmarks.benchmark_year
            and with_direction.la_code = la_benchmarks.la_code

)

select * from final
