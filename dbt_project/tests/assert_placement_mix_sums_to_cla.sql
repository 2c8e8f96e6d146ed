-- Every child looked after at a period end is in exactly one placement type group.
with

type_counts as (

    select
        la_code,
        period_grain,
        period_start,
        sum(numerator) as children_in_groups

    from {{ ref('indicator_values') }}
    where indicator_id like 'cla_placement_type_%_count'
    group by la_code, period_grain, period_start

),

cla as (

    select
        la_code,
        period_grain,
        period_start,
        numerator as children_looked_after

    from {{ ref('indicator_values') }}
    where indicator_id = 'cla_at_period_end'

)

select
    cla.*,
    type_counts.children_in_groups

from cla
inner join type_counts
    on cla.la_code = type_counts.la_code
        and cla.period_grain = type_counts.period_grain
        and cla.period_start = type_counts.period_start
where type_counts.children_in_groups <> cla.children_looked_after
