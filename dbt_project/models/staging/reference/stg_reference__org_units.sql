-- The team -> service -> authority hierarchy as the council configures it (reference/org_units.csv). Team
-- names are matched on team_key (case and spaces ignored); a name given in more than one file takes the
-- latest load's row. Load ids sort by load time.
with

source as (

    select * from {{ source('raw', 'reference_org_units') }}

),

renamed as (

    select
        trim(cast(la_code as varchar)) as la_code,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        trim(team_id) as team_id,
        trim(service_id) as service_id,
        {{ team_display_name('service_name') }} as service_name

    from source
    where {{ team_key('team_name') }} is not null
    qualify row_number() over (
            partition by trim(cast(la_code as varchar)), {{ team_key('team_name') }}
            order by _load_id desc, _source_row desc
        ) = 1

)

select * from renamed
