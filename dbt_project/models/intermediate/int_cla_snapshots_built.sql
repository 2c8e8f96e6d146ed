-- One row per child looked after (short breaks excluded) on each covered month end (quarter and year ends are
-- month ends too), with what the stock indicators need: the current placement, its type and provider groups,
-- distance and location, placements in the 12 months to that day, and long-term stability.
-- Looked after on day d: a period of care started on or before d and not ended on or before d.
with

month_ends as (

    select period_end as as_at_date
    from {{ ref('periods') }}
    where period_grain = 'month'

),

coverage as (

    select * from {{ ref('int_la_coverage') }}

),

care_periods as (

    select * from {{ ref('int_care_periods_built') }}

),

placements as (

    select * from {{ ref('int_placements_built') }}

),

children as (

    select * from {{ ref('int_children_deduplicated') }}

),

covered_month_ends as (

    select
        coverage.la_code,
        coverage.coverage_start,
        month_ends.as_at_date

    from coverage
    inner join month_ends
        on month_ends.as_at_date between coverage.coverage_start and coverage.coverage_end

),

looked_after as (

    select
        covered_month_ends.la_code,
        covered_month_ends.as_at_date,
        covered_month_ends.coverage_start,
        care_periods.child_id,
        care_periods.care_period_id,
        care_periods.care_period_start

    from covered_month_ends
    inner join care_periods
        on covered_month_ends.la_code = care_periods.la_code
            and covered_month_ends.as_at_date >= care_periods.care_period_start
            and (care_periods.care_period_end is null or covered_month_ends.as_at_date < care_periods.care_period_end)
    qualify row_number() over (
            partition by covered_month_ends.la_code, care_periods.child_id, covered_month_ends.as_at_date
            order by care_periods.care_period_start desc
        ) = 1

),

current_placement as (

    select
        looked_after.la_code,
        looked_after.child_id,
        looked_after.as_at_date,
        placements.placement_id,
        placements.placement_start,
        placements.place,
        placements.placement_type_group,
        placements.place_provider,
        placements.provider_group,
        placements.placement_distance_miles,
        placements.placed_outside_la,
        placements.carer_spell_start,
        placements.previous_placement_start

    from looked_after
    inner join placements
        on looked_after.la_code = placements.la_code
            and looked_after.child_id = placements.child_id
            and looked_after.as_at_date >= placements.placement_start
            and (placements.placement_end is null or looked_after.as_at_date < placements.placement_end)
    qualify row_number() over (
            partition by looked_after.la_code, looked_after.child_id, looked_after.as_at_date
            order by placements.placement_start desc, placements.placement_number desc
        ) = 1

),

placements_in_last_12_months as (

    -- placements open at any time in the 12 months ending on as_at_date (from the day after the same date
    -- a year earlier), across all of the child's periods of care
    select
        looked_after.la_code,
        looked_after.child_id,
        looked_after.as_at_date,
        count(*) as placement_count

    from looked_after
    inner join placements
        on looked_after.la_code = placements.la_code
            and looked_after.child_id = placements.child_id
            and looked_after.as_at_date >= placements.placement_start
            and (
                placements.placement_end is null
                or placements.placement_end >= cast(looked_after.as_at_date - interval 12 month as date) + 1
            )
    group by looked_after.la_code, looked_after.child_id, looked_after.as_at_date

),

joined as (

    select
        looked_after.la_code,
        looked_after.as_at_date,
        looked_after.coverage_start,
        looked_after.child_id,
        looked_after.care_period_id,
        looked_after.care_period_start,
        current_placement.placement_id,
        current_placement.placement_start,
        current_placement.place,
        coalesce(current_placement.placement_type_group, 'other') as placement_type_group,
        current_placement.place_provider,
        current_placement.provider_group,
        current_placement.placement_distance_miles,
        current_placement.placed_outside_la,
        current_placement.carer_spell_start,
        current_placement.previous_placement_start,
        coalesce(placements_in_last_12_months.placement_count, 0) as placements_in_last_12_months,
        children.dob,
        coalesce(cast(children.dob + interval 16 year as date) > looked_after.as_at_date, false) as is_under_16,
        looked_after.care_period_start
        <= cast(looked_after.as_at_date - interval 30 month as date) as is_looked_after_2_5_years,
        coalesce(
            current_placement.carer_spell_start <= cast(looked_after.as_at_date - interval 2 year as date), false
        ) as is_same_carer_2_years,
        coalesce(
            current_placement.placement_type_group = 'adoption'
            and current_placement.previous_placement_start
            <= cast(looked_after.as_at_date - interval 2 year as date),
            false
        ) as is_adoption_with_previous_2_years

    from looked_after
    left join current_placement
        on looked_after.la_code = current_placement.la_code
            and looked_after.child_id = current_placement.child_id
            and looked_after.as_at_date = current_placement.as_at_date
    left join placements_in_last_12_months
        on looked_after.la_code = placements_in_last_12_months.la_code
            and looked_after.child_id = placements_in_last_12_months.child_id
            and looked_after.as_at_date = placements_in_last_12_months.as_at_date
    left join children
        on looked_after.la_code = children.la_code
            and looked_after.child_id = children.child_id

),

final as (

    select
        *,
        is_under_16 and is_looked_after_2_5_years as is_long_term_eligible,
        is_under_16 and is_looked_after_2_5_years
        and (is_same_carer_2_years or is_adoption_with_previous_2_years) as is_long_term_stable

    from joined

)

select * from final
