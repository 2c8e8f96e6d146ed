with

source as (

    select * from {{ source('raw', 'reference_population') }}

),

renamed as (

    select
        cast(area_code as varchar) as la_code,
        cast(year as integer) as estimate_year,
        trim(age_group) as age_group,
        cast(population as integer) as population

    from source
    -- Population files accumulate by name (one per authority, say); an estimate given in more than one file
    -- takes the latest load's figure. Load ids sort by load time.
    qualify row_number() over (
        partition by area_code, year, trim(age_group) order by _load_id desc
    ) = 1

)

select * from renamed
