-- Per authority and coverage scope, the stretches of time covered by loaded children-in-need data (meta.loads,
-- status loaded; overlapping or adjoining loads merged, as int_la_coverage does for SSDA903):
--   annex_a        Annex A snapshots: each covers its period_start..period_end (the twelve months to its as-at
--                  date). Contacts are only in Annex A, so cin_contacts needs this scope.
--   cin            Annex A snapshots and CIN census returns (a return covers its collection year). Every other
--                  indicator uses this scope.
--   annex_a_as_at  the as-at dates of the Annex A snapshots only (one-day stretches): the last statutory visit
--                  is only known as at a snapshot's date, so cp_visits_within_standard_pct has a value only for
--                  periods that end on a snapshot's date.
-- Flows need the whole period inside a stretch, stock measures the period's last day.
with

loads as (

    select distinct
        la_code,
        dataset,
        period_start,
        period_end

    from {{ ref('stg_meta__loads') }}
    where dataset in ('annex_a', 'cin_census')
        and status = 'loaded'
        and la_code is not null
        and period_start is not null
        and period_end is not null

),

scoped as (

    select
        la_code,
        'annex_a' as coverage_scope,
        period_start,
        period_end
    from loads
    where dataset = 'annex_a'

    union all

    select
        la_code,
        'cin' as coverage_scope,
        period_start,
        period_end
    from loads

    union all

    select
        la_code,
        'annex_a_as_at' as coverage_scope,
        period_end as period_start,
        period_end
    from loads
    where dataset = 'annex_a'

),

ordered as (

    select
        *,
        max(period_end) over (
            partition by la_code, coverage_scope order by period_start, period_end
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end

    from scoped

),

islands as (

    select
        *,
        cast(
            sum(case when previous_max_end is null or period_start > previous_max_end + 1 then 1 else 0 end)
                over (
                    partition by la_code, coverage_scope order by period_start, period_end
                    rows between unbounded preceding and current row
                )
            as integer
        ) as coverage_number

    from ordered

),

coverage as (

    select
        la_code,
        coverage_scope,
        coverage_number,
        min(period_start) as coverage_start,
        max(period_end) as coverage_end,
        cast(count(*) as integer) as loads_merged

    from islands
    group by la_code, coverage_scope, coverage_number

)

select * from coverage
