-- One row per section 47 enquiry (la_code, child_id, s47_start_date), from Annex A List 5 (start = the
-- strategy discussion initiating the enquiry) and the CIN census (S47ActualStartDate): Annex A's latest
-- snapshot, the census's latest return; both: the Annex A row wins, its blanks filled from the census (an ICPC
-- date only from a return as at the same date or later).
-- Working days to the ICPC (dim_date.working_day_index): the working days after the strategy discussion up to
-- and including the conference; within 15 if at most 15.
-- Team: team_id and service_id from int_team_names_mapped (null for census-only enquiries).
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

dates as (

    select * from {{ ref('dim_date') }}

),

annex_a as (

    select
        section47.la_code,
        section47.child_id,
        section47.strategy_discussion_date as s47_start_date,
        section47.icpc_date,
        section47.is_icpc_not_required,
        section47.is_icpc_resulted_in_plan,
        section47.team_name,
        section47.team_key,
        snapshots.as_at_date

    from {{ ref('stg_annex_a__section47') }} as section47
    inner join snapshots
        on section47.load_id = snapshots.load_id
    where section47.child_id is not null
        and section47.strategy_discussion_date is not null
    qualify row_number() over (
            partition by section47.la_code, section47.child_id, section47.strategy_discussion_date
            order by snapshots.as_at_date desc, section47.load_id desc, section47.source_row desc
        ) = 1

),

census as (

    select
        section47.la_code,
        section47.child_id,
        section47.s47_start_date,
        section47.icpc_date,
        section47.is_icpc_not_required,
        snapshots.as_at_date

    from {{ ref('stg_cin_census__section47') }} as section47
    inner join snapshots
        on section47.load_id = snapshots.load_id
    where section47.child_id is not null
        and section47.s47_start_date is not null
    qualify row_number() over (
            partition by section47.la_code, section47.child_id, section47.s47_start_date
            order by section47.collection_year desc, section47.load_id desc, section47.source_row desc
        ) = 1

),

joined as (

    select
        coalesce(annex_a.la_code, census.la_code) as la_code,
        coalesce(annex_a.child_id, census.child_id) as child_id,
        coalesce(annex_a.s47_start_date, census.s47_start_date) as s47_start_date,
        coalesce(
            annex_a.icpc_date,
            case when annex_a.la_code is null or census.as_at_date >= annex_a.as_at_date then census.icpc_date end
        ) as icpc_date,
        coalesce(annex_a.is_icpc_not_required, census.is_icpc_not_required) as is_icpc_not_required,
        annex_a.is_icpc_resulted_in_plan,
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
            and annex_a.s47_start_date = census.s47_start_date

),

timed as (

    select
        joined.la_code || ':' || joined.child_id || ':' || strftime(joined.s47_start_date, '%Y-%m-%d') as s47_id,
        joined.*,
        teams.team_id,
        teams.service_id,
        icpc_day.working_day_index - start_day.working_day_index as working_days_to_icpc

    from joined
    left join teams
        on joined.la_code = teams.la_code
            and joined.team_key = teams.team_key
    left join dates as start_day
        on joined.s47_start_date = start_day.date_day
    left join dates as icpc_day
        on joined.icpc_date = icpc_day.date_day

),

final as (

    select
        *,
        working_days_to_icpc <= 15 as is_icpc_within_15wd

    from timed

)

select * from final
