-- CIN census CIN plans as loaded: one row per plan per return.
with

source as (

    select * from {{ source('raw', 'cin_census_cin_plans') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(referral_date as date) as referral_date,
        cast(cin_plan_start_date as date) as cin_plan_start_date,
        cast(cin_plan_end_date as date) as cin_plan_end_date

    from source

)

select * from renamed
