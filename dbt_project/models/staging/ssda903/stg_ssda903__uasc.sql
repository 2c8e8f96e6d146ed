with

source as (

    select * from {{ source('raw', 'ssda903_uasc') }}

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
        cast(duc as date) as duc

    from source

)

select * from renamed
