-- One row per child protection plan open on an Annex A snapshot's as-at date (la_code, as_at_date, child_id,
-- cp_plan_start_date), with the last statutory visit as that snapshot records it. Open on day d: started on or
-- before d, not ended on or before d (the snapshot's own end date). Working days since the visit
-- (dim_date.working_day_index): the working days after the visit up to and including the as-at date; within
-- the local standard if at most var cp_visit_standard_working_days (default 10). No visit recorded: not within.
-- Visits are known only as at a snapshot's date, so this is the only source of the visits indicator, which
-- therefore has values only for periods ending on a snapshot's date (int_cin_coverage, annex_a_as_at).
-- Team: the plan's (int_cp_plans_deduplicated, i.e. the latest snapshot's), as for the other plan measures.
with

snapshots as (

    select
        load_id,
        period_end as as_at_date

    from {{ ref('stg_meta__loads') }}
    where dataset = 'annex_a'

),

plans as (

    select * from {{ ref('int_cp_plans_deduplicated') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

open_at_snapshot as (

    select
        snapshot_plans.la_code,
        snapshots.as_at_date,
        snapshot_plans.child_id,
        snapshot_plans.cp_plan_start_date,
        snapshot_plans.last_visit_date

    from {{ ref('stg_annex_a__cp_plans') }} as snapshot_plans
    inner join snapshots
        on snapshot_plans.load_id = snapshots.load_id
    where snapshot_plans.child_id is not null
        and snapshot_plans.cp_plan_start_date <= snapshots.as_at_date
        and (snapshot_plans.cp_plan_end_date is null or snapshot_plans.cp_plan_end_date > snapshots.as_at_date)
    qualify row_number() over (
            partition by
                snapshot_plans.la_code, snapshots.as_at_date, snapshot_plans.child_id, snapshot_plans.cp_plan_start_date
            order by snapshot_plans.load_id desc, snapshot_plans.source_row desc
        ) = 1

),

timed as (

    select
        open_at_snapshot.*,
        plans.cp_plan_id,
        plans.team_id,
        plans.service_id,
        as_at_day.working_day_index - visit_day.working_day_index as working_days_since_visit

    from open_at_snapshot
    left join plans
        on open_at_snapshot.la_code = plans.la_code
            and open_at_snapshot.child_id = plans.child_id
            and open_at_snapshot.cp_plan_start_date = plans.cp_plan_start_date
    left join dates as as_at_day
        on open_at_snapshot.as_at_date = as_at_day.date_day
    left join dates as visit_day
        on open_at_snapshot.last_visit_date = visit_day.date_day

),

final as (

    select
        *,
        coalesce(
            working_days_since_visit <= {{ var('cp_visit_standard_working_days', 10) }}, false
        ) as is_visit_within_standard

    from timed

)

select * from final
