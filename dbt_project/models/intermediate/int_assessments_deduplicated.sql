-- One row per assessment (la_code, child_id, assessment_start_date), from Annex A List 4 and the CIN census
-- (Annex A: latest snapshot; census: latest return; both: the Annex A row wins and its blanks are filled from
-- the census; an authorisation date missing from Annex A is taken from a census return as at the same date or
-- later, so a later return can complete what an earlier snapshot showed open).
-- Referral date: the census gives it; Annex A does not, so it is the child's latest referral on or before the
-- assessment's start (int_referrals_deduplicated); null if there is none in the loaded data.
-- Working days (dim_date.working_day_index: weekends and England and Wales bank holidays excluded): the
-- working days after the referral up to and including the authorisation; within 45 if at most 45.
-- over_45wd_from_date: the first day on which an assessment still open is more than 45 working days from its
-- referral (the 46th working day after it).
-- Team: team_id and service_id from int_team_names_mapped (null for census-only assessments).
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

referrals as (

    select * from {{ ref('int_referrals_deduplicated') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

annex_a as (

    select
        assessments.la_code,
        assessments.child_id,
        assessments.assessment_start_date,
        assessments.assessment_authorised_date,
        assessments.assessment_outcome,
        assessments.team_name,
        assessments.team_key,
        snapshots.as_at_date

    from {{ ref('stg_annex_a__assessments') }} as assessments
    inner join snapshots
        on assessments.load_id = snapshots.load_id
    where assessments.child_id is not null
        and assessments.assessment_start_date is not null
    qualify row_number() over (
            partition by assessments.la_code, assessments.child_id, assessments.assessment_start_date
            order by snapshots.as_at_date desc, assessments.load_id desc, assessments.source_row desc
        ) = 1

),

census as (

    select
        assessments.la_code,
        assessments.child_id,
        assessments.assessment_start_date,
        assessments.assessment_authorised_date,
        assessments.referral_date,
        snapshots.as_at_date

    from {{ ref('stg_cin_census__assessments') }} as assessments
    inner join snapshots
        on assessments.load_id = snapshots.load_id
    where assessments.child_id is not null
        and assessments.assessment_start_date is not null
    qualify row_number() over (
            partition by assessments.la_code, assessments.child_id, assessments.assessment_start_date
            order by assessments.collection_year desc, assessments.load_id desc, assessments.source_row desc
        ) = 1

),

joined as (

    select
        coalesce(annex_a.la_code, census.la_code) as la_code,
        coalesce(annex_a.child_id, census.child_id) as child_id,
        coalesce(annex_a.assessment_start_date, census.assessment_start_date) as assessment_start_date,
        coalesce(
            annex_a.assessment_authorised_date,
            case
                when annex_a.la_code is null or census.as_at_date >= annex_a.as_at_date
                    then census.assessment_authorised_date
            end
        ) as assessment_authorised_date,
        census.referral_date as census_referral_date,
        annex_a.assessment_outcome,
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
            and annex_a.assessment_start_date = census.assessment_start_date

),

with_referral as (

    select
        joined.*,
        coalesce(joined.census_referral_date, latest_referral.referral_date) as referral_date,
        case
            when joined.census_referral_date is not null then 'cin_census'
            when latest_referral.referral_date is not null then 'latest_referral'
        end as referral_date_source

    from joined
    left join referrals as latest_referral
        on joined.census_referral_date is null
            and joined.la_code = latest_referral.la_code
            and joined.child_id = latest_referral.child_id
            and joined.assessment_start_date >= latest_referral.referral_date
    qualify row_number() over (
            partition by joined.la_code, joined.child_id, joined.assessment_start_date
            order by latest_referral.referral_date desc nulls last
        ) = 1

),

timed as (

    select
        with_referral.la_code || ':' || with_referral.child_id || ':'
        || strftime(with_referral.assessment_start_date, '%Y-%m-%d') as assessment_id,
        with_referral.*,
        teams.team_id,
        teams.service_id,
        authorised_day.working_day_index - referral_day.working_day_index as working_days_to_authorisation,
        over_45_day.date_day as over_45wd_from_date

    from with_referral
    left join teams
        on with_referral.la_code = teams.la_code
            and with_referral.team_key = teams.team_key
    left join dates as referral_day
        on with_referral.referral_date = referral_day.date_day
    left join dates as authorised_day
        on with_referral.assessment_authorised_date = authorised_day.date_day
    left join dates as over_45_day
        on referral_day.working_day_index + 46 = over_45_day.working_day_index
            and over_45_day.is_working_day

),

final as (

    select
        *,
        working_days_to_authorisation <= 45 as is_authorised_within_45wd

    from timed

)

select * from final
