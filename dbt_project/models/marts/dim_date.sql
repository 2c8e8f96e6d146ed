-- One row per day from calendar_start to calendar_end (1 April 2010 to 31 March 2031): the council's
-- financial year and quarter (Q1 April to June), labels, and working days. working_day_index counts working
-- days up to and including the day, so the working days after d1 up to and including d2 are
-- index(d2) - index(d1).
with

days as (

    select cast(range as date) as date_day
    from range(
            date '{{ var("calendar_start") }}',
            date '{{ var("calendar_end") }}' + interval 1 day,
            interval 1 day
        )

),

bank_holidays as (

    select distinct cast(holiday_date as date) as holiday_date
    from {{ ref('bank_holidays') }}

),

flagged as (

    select
        days.date_day,
        case
            when month(days.date_day) >= 4 then year(days.date_day)
            else year(days.date_day) - 1
        end as financial_year_start,
        cast((month(days.date_day) + 8) % 12 // 3 + 1 as integer) as fy_quarter,
        dayofweek(days.date_day) not in (0, 6) and bank_holidays.holiday_date is null as is_working_day

    from days
    left join bank_holidays
        on days.date_day = bank_holidays.holiday_date

),

labelled as (

    select
        date_day,
        financial_year_start || '-' || right(cast(financial_year_start + 1 as varchar), 2) as financial_year,
        fy_quarter,
        strftime(date_day, '%b %Y') as month_label,
        is_working_day

    from flagged

),

final as (

    select
        date_day,
        financial_year,
        fy_quarter,
        month_label,
        financial_year || ' Q' || fy_quarter as quarter_label,
        is_working_day,
        cast(
            sum(case when is_working_day then 1 else 0 end) over (
                order by date_day rows between unbounded preceding and current row
            ) as integer
        ) as working_day_index

    from labelled

)

select * from final
