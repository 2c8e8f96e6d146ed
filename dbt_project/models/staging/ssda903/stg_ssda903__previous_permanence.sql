with

source as (

    select * from {{ source('raw', 'ssda903_previous_permanence') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(dob as date) as dob,
        upper(trim(prev_perm)) as prev_perm,
        upper(trim(la_perm)) as la_perm,
        -- kept as written: councils may report a partial date (month/year only)
        trim(cast(date_perm as varchar)) as date_perm

    from source

)

select * from renamed
