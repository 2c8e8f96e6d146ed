-- One row per referral (la_code, child_id, referral_date), from Annex A List 3 and the CIN census:
-- - Annex A: the row from the latest snapshot holding the referral (greatest meta.loads.period_end);
-- - CIN census: the row from the latest collection year (then the latest load);
-- - both: the Annex A row wins (it carries the team); a blank in it is filled from the census. The CIN
--   closure date is the census's (Annex A's referral list has none).
-- Re-referral (DfE): a referral within 12 months of a previous referral of the same child, i.e. the previous
-- referral falls on or after the same date twelve months earlier. Only referrals in loaded data are seen, so
-- the indicator needs the twelve months before the period loaded (int_cin_measures_computed).
-- Team: team_id and service_id from int_team_names_mapped (null for census-only referrals).
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
        referrals.la_code,
        referrals.child_id,
        referrals.referral_date,
        referrals.referral_source,
        referrals.is_nfa,
        referrals.team_name,
        referrals.team_key,
        snapshots.as_at_date

    from {{ ref('stg_annex_a__referrals') }} as referrals
    inner join snapshots
        on referrals.load_id = snapshots.load_id
    where referrals.child_id is not null
        and referrals.referral_date is not null
    qualify row_number() over (
            partition by referrals.la_code, referrals.child_id, referrals.referral_date
            order by snapshots.as_at_date desc, referrals.load_id desc, referrals.source_row desc
        ) = 1

),

census as (

    select
        referrals.la_code,
        referrals.child_id,
        referrals.referral_date,
        referrals.referral_source,
        referrals.is_nfa,
        referrals.primary_need_code,
        referrals.cin_closure_date,
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
        coalesce(annex_a.referral_date, census.referral_date) as referral_date,
        coalesce(annex_a.referral_source, census.referral_source) as referral_source,
        coalesce(annex_a.is_nfa, census.is_nfa) as is_nfa,
        census.primary_need_code,
        census.cin_closure_date,
        census.closure_reason,
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
            and annex_a.referral_date = census.referral_date

),

sequenced as (

    select
        joined.la_code || ':' || joined.child_id || ':' || strftime(joined.referral_date, '%Y-%m-%d') as referral_id,
        joined.*,
        teams.team_id,
        teams.service_id,
        lag(joined.referral_date) over (
            partition by joined.la_code, joined.child_id order by joined.referral_date
        ) as previous_referral_date

    from joined
    left join teams
        on joined.la_code = teams.la_code
            and joined.team_key = teams.team_key

),

final as (

    select
        *,
        coalesce(
            previous_referral_date >= cast(referral_date - interval 12 month as date), false
        ) as is_rereferral_12m

    from sequenced

)

select * from final
