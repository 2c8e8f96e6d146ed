-- Every due period of every scheduled frequency of the QA register (macro qa_schedule_frequencies), over the
-- calendar: one row per frequency and period. Periods follow the financial year: each starts on 1 April plus a
-- multiple of its length, so
--   monthly              calendar months                              label 'Feb 2025'
--   bi_monthly           Apr-May, Jun-Jul, Aug-Sep, Oct-Nov, Dec-Jan, Feb-Mar    'Apr-May 2024', 'Dec 2024-Jan 2025'
--   quarterly            financial-year quarters (Q1 April-June)      '2024-25 Q3'
--   three_times_yearly   Apr-Jul, Aug-Nov, Dec-Mar                    'Aug-Nov 2024', 'Dec 2024-Mar 2025'
--   twice_yearly         Apr-Sep, Oct-Mar                             'Apr-Sep 2024', 'Oct 2024-Mar 2025'
--   annually             financial years                              '2024-25'
-- as_required, per_meeting and weekly tasks have no schedule.
with

months as (

    select
        period_start as month_start,
        period_end as month_end,
        period_label as month_label,
        financial_year,
        make_date(year(period_start) - case when month(period_start) < 4 then 1 else 0 end, 4, 1) as year_start

    from {{ ref('periods') }}
    where period_grain = 'month'

),

indexed as (

    select
        *,
        cast(datediff('month', year_start, month_start) as integer) as month_of_year

    from months

),

grouped as (

    {%- for frequency, months_long in qa_schedule_frequencies().items() %}
    select
        '{{ frequency }}' as frequency,
        {{ months_long }} as months_long,
        cast(year_start + to_months(({{ months_long }} * (month_of_year // {{ months_long }}))) as date) as period_start,
        max(month_end) as period_end,
        min(month_start) as first_month_start,
        any_value(financial_year) as financial_year,
        any_value(month_label) as month_label,
        cast(month_of_year // {{ months_long }} + 1 as integer) as period_number,
        count(*) as months_in_period
    from indexed
    group by all
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        frequency,
        period_start,
        period_end,
        case
            when frequency = 'monthly' then month_label
            when frequency = 'quarterly' then financial_year || ' Q' || period_number
            when frequency = 'annually' then financial_year
            when year(period_start) = year(period_end)
                then strftime(period_start, '%b') || '-' || strftime(period_end, '%b %Y')
            else strftime(period_start, '%b %Y') || '-' || strftime(period_end, '%b %Y')
        end as period_label,
        financial_year

    from grouped
    -- the calendar starts and ends on a financial year's edges, so every period is whole; this keeps it so
    where months_in_period = months_long

)

select * from final
