-- One row per team name found in Annex A's "Allocated Team" (lists 3 to 7, any snapshot), the monthly HR extract
-- (workers and vacancies), the complaints register and the case-file audits, per authority: matched case- and
-- space-insensitively (team_key) to the configured org units. A mapped name takes its team_id and service_id; an
-- unmapped one is kept, never dropped: team_id 'unmapped:<team name>' under the service 'unmapped'. first_seen and
-- last_seen are the as-at dates (meta.loads.period_end: a snapshot's date, an HR file's month end, a register's or
-- an audits file's as-at date) of the first and last loads naming it.
with

snapshots as (

    select
        load_id,
        period_end as as_at_date

    from {{ ref('stg_meta__loads') }}
    where dataset in ('annex_a', 'hr', 'complaints', 'audits')

),

org_units as (

    select * from {{ ref('stg_reference__org_units') }}

),

named as (

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_annex_a__referrals') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_annex_a__assessments') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_annex_a__section47') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_annex_a__children_in_need') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_annex_a__cp_plans') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_hr__workers') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_hr__vacancies') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_complaints__register') }}

    union all

    select
        la_code,
        team_name,
        team_key,
        load_id
    from {{ ref('stg_audits__case_file_audits') }}

),

seen as (

    select
        named.la_code,
        named.team_key,
        min(named.team_name) as team_name,
        min(snapshots.as_at_date) as first_seen,
        max(snapshots.as_at_date) as last_seen

    from named
    inner join snapshots
        on named.load_id = snapshots.load_id
    where named.team_key is not null
        and named.la_code is not null
    group by named.la_code, named.team_key

),

mapped as (

    select
        seen.la_code,
        seen.team_key,
        seen.team_name,
        seen.first_seen,
        seen.last_seen,
        org_units.team_id is not null as is_mapped,
        coalesce(org_units.team_id, 'unmapped:' || seen.team_name) as team_id,
        coalesce(org_units.service_id, 'unmapped') as service_id

    from seen
    left join org_units
        on seen.la_code = org_units.la_code
            and seen.team_key = org_units.team_key

)

select * from mapped
