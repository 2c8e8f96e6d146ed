-- Teams named in Annex A's "Allocated Team", the monthly HR extract, the complaints register or the case-file
-- audits that reference/org_units.csv does not map (matched case- and space-insensitively): one row per authority
-- and team name, with the as-at dates of the first and last loads naming it, the number of records attributed to
-- it (deduplicated referrals, assessments, section 47 enquiries, child protection plans and CIN episodes; HR
-- worker-months; complaints register records; case-file audits), and the org_id its rows carry in
-- indicator_values. Their events still count for the authority, and for the team 'unmapped:<team name>' under
-- the service 'unmapped'. Add the name to org_units.csv to map it.
with

teams as (

    select * from {{ ref('int_team_names_mapped') }}
    where not is_mapped

),

events as (

    select
        la_code,
        team_key
    from {{ ref('int_referrals_deduplicated') }}

    union all

    select
        la_code,
        team_key
    from {{ ref('int_assessments_deduplicated') }}

    union all

    select
        la_code,
        team_key
    from {{ ref('int_section47_deduplicated') }}

    union all

    select
        la_code,
        team_key
    from {{ ref('int_cp_plans_deduplicated') }}

    union all

    select
        la_code,
        team_key
    from {{ ref('int_cin_episodes_deduplicated') }}

    union all

    select
        la_code,
        team_key
    from {{ ref('int_workforce_worker_months') }}

    union all

    select
        la_code,
        team_key
    from {{ ref('int_complaints_timed') }}

    union all

    select
        la_code,
        team_key
    from {{ ref('int_case_file_audits_assessed') }}

),

event_counts as (

    select
        la_code,
        team_key,
        count(*) as events

    from events
    where team_key is not null
    group by la_code, team_key

),

final as (

    select
        teams.la_code,
        teams.team_name,
        teams.first_seen,
        teams.last_seen,
        cast(coalesce(event_counts.events, 0) as integer) as events,
        teams.team_id as org_id

    from teams
    left join event_counts
        on teams.la_code = event_counts.la_code
            and teams.team_key = event_counts.team_key

)

select * from final
