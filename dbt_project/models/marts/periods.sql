-- Reporting periods: every month, financial-year quarter and financial year in the date dimension.
with

dates as (

    select * from {{ ref('dim_date') }}

),

months as (

    select
        'month' as period_grain,
        min(date_day) as period_start,
        max(date_day) as period_end,
        any_value(month_label) as period_label,
        any_value(financial_year) as financial_year

    from dates
    group by date_trunc('month', date_day)

),

quarters as (

    select
        'quarter' as period_grain,
        min(date_day) as period_start,
        max(date_day) as period_end,
        quarter_label as period_label,
        any_value(financial_year) as financial_year

    from dates
    group by quarter_label

),

years as (

    select
        'year' as period_grain,
        min(date_day) as period_start,
        max(date_day) as period_end,
        financial_year as period_label,
        financial_year

    from dates
    group by financial_year

),

unioned as (

    select * from months
    union all
    select * from quarters
    union all
    select * from years

)

select * from unioned
