-- Per authority, the months covered by a loaded monthly HR extract (meta.loads, status loaded): one row per
-- authority and month with an HR workers file, and whether a vacancies file was loaded for the same month.
-- int_workforce_measures_computed asks, per indicator: the period's last month covered (stock measures; the
-- vacancy rate also needs that month's vacancies file), every month of the period (starters, leavers), or the
-- twelve months to the period's end (turnover, sickness days).
with

loads as (

    select
        la_code,
        table_name,
        cast(date_trunc('month', period_end) as date) as month_start

    from {{ ref('stg_meta__loads') }}
    where dataset = 'hr'
        and status = 'loaded'
        -- a header-only file (loaded only into an empty month) says nothing about the month
        and rows_loaded > 0
        and la_code is not null
        and period_end is not null

),

months as (

    select
        la_code,
        month_start,
        cast(last_day(month_start) as date) as month_end,
        bool_or(table_name like '%workers') as has_workers,
        bool_or(table_name like '%vacancies') as has_vacancies

    from loads
    group by la_code, month_start

),

final as (

    select * from months
    where has_workers

)

select * from final
