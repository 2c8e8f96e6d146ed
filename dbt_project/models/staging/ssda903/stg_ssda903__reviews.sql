with

source as (

    select * from {{ source('raw', 'ssda903_reviews') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(dob as date) as dob,
        cast(review_date as date) as review_date,
        upper(trim(review_code)) as review_code

    from source

)

select * from renamed
