with

source as (

    select * from {{ source('raw', 'ssda903_oc3') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(dob as date) as dob,
        upper(trim(in_touch)) as in_touch,
        upper(trim(activ)) as activ,
        upper(trim(accom)) as accom

    from source

)

select * from renamed
