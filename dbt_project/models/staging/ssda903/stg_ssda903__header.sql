with

source as (

    select * from {{ source('raw', 'ssda903_header') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        upper(trim(sex)) as sex,
        cast(dob as date) as dob,
        upper(trim(ethnic)) as ethnic

    from source

)

select * from renamed
