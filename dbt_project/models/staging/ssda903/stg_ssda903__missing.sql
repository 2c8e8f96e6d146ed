with

source as (

    select * from {{ source('raw', 'ssda903_missing') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(dob as date) as dob,
        upper(trim(missing_type)) as missing_type,
        cast(missing_start as date) as missing_start,
        cast(missing_end as date) as missing_end

    from source

)

select * from renamed
