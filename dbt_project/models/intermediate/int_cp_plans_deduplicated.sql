-- One row per child protection plan (la_code, child_id, cp_plan_start_date), from Annex A List 7 and the CIN
-- census: Annex A's latest snapshot, the census's latest return; both: the Annex A row wins, its blanks filled
-- from the census (an end date only from a return as at the same date or later). last_visit_date is the
-- latest snapshot's (as at that snapshot's date; see int_cp_plan_visits_snapshotted for visits per snapshot).
-- Second or subsequent (DfE): the number of previous plans (ever) is more than zero.
-- Team: team_id and service_id from int_team_names_mapped (null for census-only plans).
with

snapshots as (

    select
        load_id,
        period_end as as_at_date

    from {{ ref('stg_meta__loads') }}

),

teams as (

    select * from {{ ref('int_team_names_mapped') }}

),

annex_a as (

    select
        plans.la_code,
        plans.child_id,
        plans.cp_plan_start_date,
        plans.cp_plan_end_date,
        plans.initial_category,
        plans.latest_category,
        plans.previous_cp_plans,
        plans.last_visit_date,
        plans.team_name,
        plans.team_key,
        snapshots.as_at_date

    from {{ ref('stg_annex_a__cp_plans') }} as plans
    inner join snapshots
        on plans.load_id = snapshots.load_id
    where plans.child_id is not null
        and plans.cp_plan_start_date is not null
    qualify row_number() over (
            partition by plans.la_code, plans.child_id, plans.cp_plan_start_date
            order by snapshots.as_at_date desc, plans.load_id desc, plans.source_row desc
        ) = 1

),

census as (

    select
        plans.la_code,
        plans.child_id,
        plans.cp_plan_start_date,
        plans.cp_plan_end_date,
        plans.initial_category,
        plans.latest_category,
        plans.previous_cp_plans,
        snapshots.as_at_date

    from {{ ref('stg_cin_census__cp_plans') }} as plans
    inner join snapshots
        on plans.load_id = snapshots.load_id
    where plans.child_id is not null
        and plans.cp_plan_start_date is not null
    qualify row_number() over (
            partition by plans.la_code, plans.child_id, plans.cp_plan_start_date
            order by plans.collection_year desc, plans.load_id desc, plans.source_row desc
        ) = 1

),

joined as (

    select
        coalesce(annex_a.la_code, census.la_code) as la_code,
        coalesce(annex_a.child_id, census.child_id) as child_id,
        coalesce(annex_a.cp_plan_start_date, census.cp_plan_start_date) as cp_plan_start_date,
        coalesce(
            annex_a.cp_plan_end_date,
            case
                when annex_a.la_code is null or census.as_at_date >= annex_a.as_at_date then census.cp_plan_end_date
            end
        ) as cp_plan_end_date,
        coalesce(annex_a.initial_category, census.initial_category) as initial_category,
        coalesce(annex_a.latest_category, census.latest_category) as latest_category,
        coalesce(annex_a.previous_cp_plans, census.previous_cp_plans) as previous_cp_plans,
        annex_a.last_visit_date,
        annex_a.team_name,
        annex_a.team_key,
        case
            when annex_a.la_code is not null and census.la_code is not null then 'both'
            when annex_a.la_code is not null then 'annex_a'
            else 'cin_census'
        end as data_source,
        coalesce(annex_a.as_at_date, census.as_at_date) as as_at_date

    from annex_a
    full outer join census
        on annex_a.la_code = census.la_code
            and annex_a.child_id = census.child_id
            and annex_a.cp_plan_start_date = census.cp_plan_start_date

),

final as (

    select
        concat_ws(':', joined.la_code, joined.child_id, strftime(joined.cp_plan_start_date, '%Y-%m-%d')) as cp_plan_id,
        joined.*,
        teams.team_id,
        teams.service_id,
        coalesce(joined.previous_cp_plans > 0, false) as is_second_or_subsequent

    from joined
    left join teams
        on joined.la_code = teams.la_code
            and joined.team_key = teams.team_key

)

select * from final
