-- One row per CIN episode (la_code, child_id, cin_start_date), from Annex A List 6 (CIN start and closure) and
-- the CIN census (each CINdetails: referral date to CIN closure date): Annex A's latest snapshot, the census's
-- latest return; both: the Annex A row wins, its blanks filled from the census (a closure date only from a
-- return as at the same date or later). A census referral ending in no further action with no closure date is
-- taken as closed on its referral date.
-- Team: team_id and service_id from int_team_names_mapped (null for census-only episodes).
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
        episodes.la_code,
        episodes.child_id,
        episodes.cin_start_date,
        episodes.cin_closure_date,
        episodes.primary_need_code,
        episodes.closure_reason,
        episodes.team_name,
        episodes.team_key,
        snapshots.as_at_date

    from {{ ref('stg_annex_a__children_in_need') }} as episodes
    inner join snapshots
        on episodes.load_id = snapshots.load_id
    where episodes.child_id is not null
        and episodes.cin_start_date is not null
    qualify row_number() over (
            partition by episodes.la_code, episodes.child_id, episodes.cin_start_date
            order by snapshots.as_at_date desc, episodes.load_id desc, episodes.source_row desc
        ) = 1

),

census as (

    select
        referrals.la_code,
        referrals.child_id,
        referrals.referral_date as cin_start_date,
        coalesce(
            referrals.cin_closure_date, case when referrals.is_nfa then referrals.referral_date end
        ) as cin_closure_date,
        referrals.primary_need_code,
        referrals.closure_reason,
        snapshots.as_at_date

    from {{ ref('stg_cin_census__referrals') }} as referrals
    inner join snapshots
        on referrals.load_id = snapshots.load_id
    where referrals.child_id is not null
        and referrals.referral_date is not null
    qualify row_number() over (
            partition by referrals.la_code, referrals.child_id, referrals.referral_date
            order by referrals.collection_year desc, referrals.load_id desc, referrals.source_row desc
        ) = 1

),

joined as (

    select
        coalesce(annex_a.la_code, census.la_code) as la_code,
        coalesce(annex_a.child_id, census.child_id) as child_id,
        coalesce(annex_a.cin_start_date, census.cin_start_date) as cin_start_date,
        coalesce(
            annex_a.cin_closure_date,
            case
                when annex_a.la_code is null or census.as_at_date >= annex_a.as_at_date then census.cin_closure_date
            end
        ) as cin_closure_date,
        coalesce(annex_a.primary_need_code, census.primary_need_code) as primary_need_code,
        coalesce(annex_a.closure_reason, census.closure_reason) as closure_reason,
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
            and annex_a.cin_start_date = census.cin_start_date

),

final as (

    select
        concat_ws(':', joined.la_code, joined.child_id, strftime(joined.cin_start_date, '%Y-%m-%d')) as cin_episode_id,
        joined.*,
        teams.team_id,
        teams.service_id

    from joined
    left join teams
        on joined.la_code = teams.la_code
            and joined.team_key = teams.team_key

)

select * from final
