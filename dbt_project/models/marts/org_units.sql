-- The org-unit dimension indicator_values is broken down by: authorities (org_level 'la', org_id la_code),
-- services (org_id service_id, parent the authority) and teams (org_id team_id, parent the service), from the
-- configured hierarchy (reference/org_units.csv). Teams named in Annex A but not configured are here too,
-- as 'unmapped:<team name>' under the service 'unmapped' (is_mapped false; see unmapped_teams).
with

org_units as (

    select * from {{ ref('int_org_units_built') }}

),

final as (

    select
        la_code,
        org_level,
        org_id,
        org_name,
        parent_id,
        cast(is_mapped as boolean) as is_mapped

    from org_units

)

select * from final
