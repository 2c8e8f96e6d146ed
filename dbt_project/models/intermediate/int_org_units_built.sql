-- The org-unit hierarchy indicator_values is broken down by: one row per authority (org_level 'la', org_id the
-- la_code), service (org_id service_id, parent the authority) and team (org_id team_id, parent its service).
-- Services and teams come from the configured org units (reference/org_units.csv); a team named in Annex A
-- but not configured is added as 'unmapped:<team name>' under a service 'unmapped' (is_mapped false).
-- Teams named in the HR extract, the complaints register or the case-file audits are mapped the same way
-- (int_team_names_mapped). Authorities are those configured, naming a team, or covered by loaded SSDA903,
-- children-in-need, HR, complaints or case-file audit data.
with

config as (

    select * from {{ ref('stg_reference__org_units') }}

),

teams_seen as (

    select * from {{ ref('int_team_names_mapped') }}

),

authority_names as (

    select
        la_code,
        min(la_name) as la_name

    from {{ ref('stg_dfe__sn_model') }}
    group by la_code

),

authorities as (

    select la_code from config
    union
    select la_code from teams_seen
    union
    select la_code from {{ ref('int_cin_coverage') }}
    union
    select la_code from {{ ref('int_la_coverage') }}
    union
    select la_code from {{ ref('int_workforce_coverage') }}
    union
    select la_code from {{ ref('int_complaints_coverage') }}
    union
    select la_code from {{ ref('int_audit_coverage') }}

),

la_rows as (

    select
        authorities.la_code,
        'la' as org_level,
        authorities.la_code as org_id,
        coalesce(authority_names.la_name, authorities.la_code) as org_name,
        cast(null as varchar) as parent_id,
        true as is_mapped

    from authorities
    left join authority_names
        on authorities.la_code = authority_names.la_code
    where authorities.la_code is not null

),

service_rows as (

    select
        la_code,
        'service' as org_level,
        service_id as org_id,
        min(service_name) as org_name,
        la_code as parent_id,
        true as is_mapped

    from config
    group by la_code, service_id

    union all

    select distinct
        la_code,
        'service' as org_level,
        'unmapped' as org_id,
        'Unmapped teams' as org_name,
        la_code as parent_id,
        false as is_mapped

    from teams_seen
    where not is_mapped

),

team_rows as (

    -- several spellings may share a team_id: the team is listed once, named by its first spelling
    select
        la_code,
        'team' as org_level,
        team_id as org_id,
        min(team_name) as org_name,
        min(service_id) as parent_id,
        true as is_mapped

    from config
    group by la_code, team_id

    union all

    select
        la_code,
        'team' as org_level,
        team_id as org_id,
        team_name as org_name,
        service_id as parent_id,
        false as is_mapped

    from teams_seen
    where not is_mapped

),

unioned as (

    select * from la_rows
    union all
    select * from service_rows
    union all
    select * from team_rows

)

select * from unioned
