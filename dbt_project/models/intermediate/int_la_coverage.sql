-- Per authority, the stretches of time covered by loaded SSDA903 episode returns (meta.loads, status loaded):
-- overlapping or adjoining returns are merged into one stretch. Indicators are only emitted for periods
-- inside a stretch: flow measures need the whole period covered, stock measures the period's last day.
with

loads as (

    select
        la_code,
        period_start,
        period_end,
        collection_year

    from {{ ref('stg_meta__loads') }}
    where dataset = 'ssda903'
        and table_name in ('episodes', 'ssda903_episodes')
        and status = 'loaded'
        and la_code is not null
        and period_start is not null
        and period_end is not null

),

ordered as (

    select
        *,
        max(period_end) over (
            partition by la_code order by period_start, period_end
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end

    from loads

),

islands as (

    select
        *,
        cast(
            sum(case when previous_max_end is null or period_start > previous_max_end + 1 then 1 else 0 end)
                over (
                    partition by la_code order by period_start, period_end
                    rows between unbounded preceding and current row
                )
            as integer
        ) as coverage_number

    from ordered

),

coverage as (

    select
        la_code,
        coverage_number,
        min(period_start) as coverage_start,
        max(period_end) as coverage_end,
        min(collection_year) as first_collection_year,
        max(collection_year) as last_collection_year,
        cast(count(*) as integer) as loads_merged

    from islands
    group by la_code, coverage_number

)

select * from coverage
