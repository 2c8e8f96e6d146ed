-- DfE's published figures for every authority in its files: one row per indicator x published year
-- (benchmark_year, DfE's time_period) x authority, with its region's and England's (int_benchmarks_summarised,
-- which also says what each series is and the day it is as at). Null where DfE suppressed the figure. la_name
-- comes from the statistical neighbour model, as in statistical_neighbours, so the two join to name each
-- neighbour's own figure; an authority the 2025 model does not list (one since reorganised, or a pair DfE reports
-- together) keeps its figures with a null name.
with

benchmarks as (

    select * from {{ ref('int_benchmarks_summarised') }}

),

sn_model as (

    select * from {{ ref('stg_dfe__sn_model') }}

),

final as (

    select
        cast(benchmarks.indicator_id as varchar) as indicator_id,
        cast(benchmarks.benchmark_year as integer) as benchmark_year,
        cast(benchmarks.reference_date as date) as reference_date,
        cast(benchmarks.la_code as varchar) as la_code,
        cast(sn_model.la_name as varchar) as la_name,
        cast(benchmarks.region_name as varchar) as region_name,
        cast(benchmarks.la_value as double) as la_value,
        cast(benchmarks.region_value as double) as region_value,
        cast(benchmarks.england_value as double) as england_value

    from benchmarks
    left join sn_model
        on benchmarks.la_code = sn_model.la_code

)

select * from final
