-- CIN census child protection plan reviews as loaded: one row per review per return.
with

source as (

    select * from {{ source('raw', 'cin_census_cp_reviews') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(cp_plan_start_date as date) as cp_plan_start_date,
        cast(review_date as date) as review_date

    from source

)

select * from renamed
