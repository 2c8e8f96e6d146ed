-- Drill-down: one row per placement of a child looked after (short breaks excluded). No postcodes: distance
-- is banded and only the outside-the-authority flag is kept.
with

placements as (

    select * from {{ ref('int_placements_built') }}

),

final as (

    select
        la_code,
        child_id,
        placement_id,
        care_period_id,
        cast(placement_number as integer) as placement_number,
        placement_start,
        placement_end,
        is_open,
        place,
        placement_type_group,
        place_provider,
        provider_group,
        case
            when placement_distance_miles is null then 'unknown'
            when placement_distance_miles < 5 then 'under 5 miles'
            when placement_distance_miles < 10 then '5 to 10 miles'
            when placement_distance_miles <= 20 then '10 to 20 miles'
            else 'over 20 miles'
        end as distance_band,
        placed_outside_la

    from placements

)

select * from final
