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

)

select * from renamed
