-- Per authority, the stretch covered by its loaded complaints register (meta.loads, status loaded): from 1 April
-- of the first financial year holding at least three of the register's records (received date, else stage 1
-- start; dbt var complaints_register_min_records; the load's period_start if no year has that many) to the
-- register's as-at date (the load's period_end). Councils keep
-- and report their registers by financial year (the annual complaints report), so a register whose first
-- record came in on 2 December is taken to hold every complaint since 1 April: its quarter and year are counted,
-- not left blank. The latest register replaces
-- the previous one whole, so there is one register per authority; should two be loaded, each covers its own
-- stretch and they are merged when they overlap.
-- Flows need the whole period inside the stretch, stock measures (learning actions) its last day.
with

loads as (

    select
        load_id,
        la_code,
        period_start,
        period_end

    from {{ ref('stg_meta__loads') }}
    where dataset = 'complaints'
        and status = 'loaded'
        and la_code is not null
        and period_end is not null

),

record_years as (

    -- records per load and financial year (the year starting 1 April)
    select
        load_id,
        make_date(
            year(coalesce(received_date, stage1_start_date))
            - case when month(coalesce(received_date, stage1_start_date)) < 4 then 1 else 0 end,
            4, 1
        ) as year_start,
        count(*) as records

    from {{ ref('stg_complaints__register') }}
    where coalesce(received_date, stage1_start_date) is not null
    group by all

),

first_records as (

    -- the first financial year the register keeps in earnest: at least {{ var('complaints_register_min_records',
    -- 3) }} records. A complaint still open from years before (a straggler carried over into a new register)
    -- does not make those years "covered", which would show false zeros for them.
    select
        load_id,
        min(year_start) as first_record_date

    from record_years
    where records >= {{ var('complaints_register_min_records', 3) }}
    group by load_id

),

stretches as (

    select
        loads.la_code,
        coalesce(
            first_records.first_record_date,
            loads.period_start,
            cast(date_trunc('month', loads.period_end) as date)
        ) as period_start,
        loads.period_end

    from loads
    left join first_records
        on loads.load_id = first_records.load_id

),

ordered as (

    select
        *,
        max(period_end) over (
            partition by la_code order by period_start, period_end
            rows between unbounded preceding and 1 preceding
        ) as previous_max_end

    from stretches

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
        max(period_end) as coverage_end

    from islands
    group by la_code, coverage_number

)

select * from coverage
