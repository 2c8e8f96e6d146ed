-- One row per indicator x grain x period x org unit (for now the authority: org_level 'la', org_id la_code),
-- with target and RAG from the catalogue, the previous period and the same period a year earlier, and the
-- published comparators where a series exists. Year grain compares with the same year (the financial year
-- ending 31 March Y with DfE time_period Y); months and quarters with the latest year published on or before
-- the period's end.
with

measures as (

    select * from {{ ref('int_indicator_measures_computed') }}

),

catalogue as (

    select
        indicator_id,
        polarity,
        cast(target as double) as target,
        cast(amber_threshold as double) as amber_threshold

    from {{ ref('indicator_catalogue') }}

),

benchmarks as (

    select * from {{ ref('int_benchmarks_summarised') }}

),

published_years as (

    select distinct
        indicator_id,
        benchmark_year,
        england_value

    from benchmarks

),

with_rag as (

    select
        measures.*,
        catalogue.target,
        case
            when measures.value is null or catalogue.target is null then null
            when catalogue.polarity = 'higher_is_better'
                then
                    case
                        when measures.value >= catalogue.target then 'green'
                        when measures.value >= catalogue.amber_threshold then 'amber'
                        else 'red'
                    end
            when catalogue.polarity = 'lower_is_better' then
                case
                    when measures.value <= catalogue.target then 'green'
                    when measures.value <= catalogue.amber_threshold then 'amber'
                    else 'red'
                end
        end as rag

    from measures
    inner join catalogue
        on measures.indicator_id = catalogue.indicator_id

),

with_history as (

    select
        with_rag.*,
        previous_period.value as previous_value,
        year_ago.value as year_ago_value

    from with_rag
    left join measures as previous_period
        on with_rag.la_code = previous_period.la_code
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
            and with_rag.indicator_id = year_ago.indicator_id
            and with_rag.period_grain = year_ago.period_grain
            and year_ago.period_start = cast(with_rag.period_start - interval 1 year as date)

),

chosen_benchmark_year as (

    select
        with_history.la_code,
        with_history.indicator_id,
        with_history.period_grain,
        with_history.period_start,
        max(published_years.benchmark_year) as benchmark_year

    from with_history
    inner join published_years
        on with_history.indicator_id = published_years.indicator_id
            and make_date(published_years.benchmark_year, 3, 31) <= with_history.period_end
            and (
                with_history.period_grain <> 'year'
                or make_date(published_years.benchmark_year, 3, 31) = with_history.period_end
            )
    group by with_history.la_code, with_history.indicator_id, with_history.period_grain, with_history.period_start

),

final as (

    select
        with_history.indicator_id,
        with_history.period_grain,
        with_history.period_start,
        with_history.period_end,
        with_history.period_label,
        with_history.financial_year,
        with_history.la_code,
        'la' as org_level,
        with_history.la_code as org_id,
        cast(with_history.numerator as double) as numerator,
        cast(with_history.denominator as double) as denominator,
        cast(with_history.value as double) as value,
        with_history.target,
        with_history.rag,
        cast(with_history.previous_value as double) as previous_value,
        cast(with_history.year_ago_value as double) as year_ago_value,
        cast(chosen_benchmark_year.benchmark_year as integer) as benchmark_year,
        cast(published_years.england_value as double) as england_value,
        cast(la_benchmarks.region_value as double) as region_value,
        la_benchmarks.region_name,
        cast(la_benchmarks.sn_value as double) as sn_value,
        cast(la_benchmarks.sn_count as integer) as sn_count

    from with_history
    left join chosen_benchmark_year
        on with_history.la_code = chosen_benchmark_year.la_code
            and with_history.indicator_id = chosen_benchmark_year.indicator_id
            and with_history.period_grain = chosen_benchmark_year.period_grain
            and with_history.period_start = chosen_benchmark_year.period_start
    left join published_years
        on chosen_benchmark_year.indicator_id = published_years.indicator_id
            and chosen_benchmark_year.benchmark_year = published_years.benchmark_year
    left join benchmarks as la_benchmarks
        on chosen_benchmark_year.indicator_id = la_benchmarks.indicator_id
            and chosen_benchmark_year.benchmark_year = la_benchmarks.benchmark_year
            and with_history.la_code = la_benchmarks.la_code

)

select * from final
