-- One row per placement (short breaks excluded): dates, placement type and provider groups, distance and
-- outside-the-authority flag as recorded on the placement's first episode, and the carer spell it belongs to.
with

episodes as (

    select * from {{ ref('int_episodes_sequenced') }}

),

placements as (

    select
        la_code,
        child_id,
        placement_id,
        placement_number,
        care_period_id,
        care_period_number,
        carer_spell_number,
        placement_start,
        placement_end,
        placement_end is null as is_open,
        carer_spell_start,
        rne as starting_rne,
        place,
        place_provider,
        placement_type_group,
        provider_group,
        home_postcode_district,
        placement_postcode_district,
        placement_distance_miles,
        placed_outside_la,
        urn

    from episodes
    where is_new_placement

),

with_previous as (

    select
        *,
        lag(placement_start) over (
            partition by la_code, child_id, care_period_number order by placement_number
        ) as previous_placement_start

    from placements

)

select * from with_previous
